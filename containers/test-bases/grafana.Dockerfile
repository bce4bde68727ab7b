# Stands in for grafana/grafana in the compose test (no registry is reachable here, and Grafana is
# not packaged in Debian): grafana-standin.py reads the same provisioning directories Grafana reads,
# and answers the parts of Grafana's HTTP API the test uses (/api/health, /api/datasources,
# /api/search, the datasource proxy), so the compose wiring (mounts, the datasource URL resolving and
# answering from Grafana's network) is what is tested, not Grafana itself.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-yaml \
  && rm -rf /var/lib/apt/lists/*
COPY grafana-standin.py /usr/local/bin/grafana-standin.py
USER nobody
EXPOSE 3000
ENTRYPOINT ["python3", "/usr/local/bin/grafana-standin.py"]
