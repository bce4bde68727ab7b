# Stands in for the official redis image in the compose test: redis-server and redis-cli on PATH.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /data
RUN chown redis:redis /data
USER redis
CMD ["redis-server"]
