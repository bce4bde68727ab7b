# Stands in for the official postgres image in the compose test: the same POSTGRES_DB, POSTGRES_USER,
# POSTGRES_PASSWORD and PGDATA contract, pg_isready on PATH.
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
# No default cluster: the entrypoint creates one in PGDATA, as the official image does.
RUN mkdir -p /etc/postgresql-common \
  && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf \
  && apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 \
  && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
