#!/usr/bin/env bash
# Builds the local base images the compose test uses where no registry is reachable, once: an image
# that exists is reused (delete it with `podman rmi` to rebuild). Prints nothing on stdout.
#   tollgate-test/debian:bookworm      debootstrap --variant=minbase, imported
#   tollgate-test/jre:17               + openjdk-17-jre-headless       (for Temurin)
#   tollgate-test/envoy:1.40.0         + the Envoy binary of .venv/     (for envoyproxy/envoy)
#   tollgate-test/postgres:15, tollgate-test/redis:7, tollgate-test/prometheus:2.42
#                                      Debian's packages behind the official images' interfaces
#   tollgate-test/grafana:standin      grafana-standin.py: reads Grafana's provisioning, serves its API's
#                                      health, datasources, search and datasource proxy (no Grafana here)
# Needs root, podman, debootstrap and CONTAINERS_CONF (containers/containers.conf).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
debian=localhost/tollgate-test/debian:bookworm
log() { echo "test-bases: $*" >&2; }
exists() { podman image exists "$1"; }

work="$(mktemp -d /var/tmp/tollgate-bases.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if ! exists "$debian"; then
  log "debootstrap bookworm (about a minute)"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$work/rootfs" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$work/rootfs" -c . | podman import --quiet - "$debian" >/dev/null
  rm -rf "$work/rootfs"
fi

build() { # build NAME DOCKERFILE CONTEXT
  exists "$1" && return 0
  log "building $1"
  podman build --quiet --build-arg "DEBIAN_IMAGE=$debian" -t "$1" -f "$2" "$3" >"$work/${2##*/}.log" 2>&1 \
    || { tail -n 20 "$work/${2##*/}.log" >&2; return 1; }
}

envoy_context="$work/envoy"
mkdir -p "$envoy_context"
if ! exists localhost/tollgate-test/envoy:1.40.0; then
  cp "$("$root/envoy/install-envoy.sh")" "$envoy_context/envoy"
fi

# Independent and mostly waiting on the Debian mirror: in parallel.
pids=()
build localhost/tollgate-test/jre:17 "$here/test-bases/jre.Dockerfile" "$here/test-bases" & pids+=($!)
build localhost/tollgate-test/envoy:1.40.0 "$here/test-bases/envoy.Dockerfile" "$envoy_context" & pids+=($!)
build localhost/tollgate-test/postgres:15 "$here/test-bases/postgres.Dockerfile" "$here/test-bases" & pids+=($!)
build localhost/tollgate-test/redis:7 "$here/test-bases/redis.Dockerfile" "$here/test-bases" & pids+=($!)
build localhost/tollgate-test/prometheus:2.42 "$here/test-bases/prometheus.Dockerfile" "$here/test-bases" & pids+=($!)
build localhost/tollgate-test/grafana:standin "$here/test-bases/grafana.Dockerfile" "$here/test-bases" & pids+=($!)
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit "$failed"
