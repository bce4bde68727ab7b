#!/usr/bin/env bash
# Makes the certificates of compose.yaml's gRPC mTLS (control plane <-> Envoys and rate-limit
# services, Envoys -> rate-limit services):
#   scripts/compose-certs.sh [DIR]   (default: $TOLLGATE_CERTS_DIR or .run/compose-certs)
#   ca.pem                                   the CA both sides verify against (its key is deleted)
#   control-plane.pem / control-plane-key.pem  server certificate for the name `control-plane`
#   envoy.pem / envoy-key.pem                client certificate of the Envoys (spiffe://tollgate/envoy)
#   ratelimit.pem / ratelimit-key.pem        client certificate of the rate-limit services
#                                            (spiffe://tollgate/ratelimit)
#   ratelimit-server.pem / ratelimit-server-key.pem  server certificate of the rate-limit services for
#                                            the name `ratelimit` (Envoy's client certificate is envoy.pem)
# Existing files are kept when all are there (delete DIR to make new ones); an older set without one
# of them is replaced as a whole (the CA key is gone, nothing can be added to it). The keys are readable by all (0644) because
# compose bind-mounts them into containers that run as an unprivileged user; DIR itself is 0700, so
# on the host only its owner reaches them.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-${TOLLGATE_CERTS_DIR:-$root/.run/compose-certs}}"
days="${TOLLGATE_CERTS_DAYS:-365}"

complete=true
for f in ca control-plane control-plane-key envoy envoy-key ratelimit ratelimit-key ratelimit-server ratelimit-server-key; do
  [[ -s "$dir/$f.pem" ]] || complete=false
done
if $complete; then
  echo "compose-certs: keeping the certificates in $dir" >&2
  exit 0
fi
mkdir -p "$dir"
chmod 700 "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key "$work/ca-key.pem"
openssl req -x509 -new -key "$work/ca-key.pem" -days "$days" -subj "/CN=tollgate-compose-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$dir/ca.pem" 2>/dev/null

issue() { # issue NAME USAGE SAN
  key "$dir/$1-key.pem"
  openssl req -new -key "$dir/$1-key.pem" -subj "/CN=$1" -out "$work/$1.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$2" "$3" >"$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA "$dir/ca.pem" -CAkey "$work/ca-key.pem" -CAserial "$work/ca.srl" -CAcreateserial \
    -days "$days" -extfile "$work/$1.ext" -out "$dir/$1.pem" 2>/dev/null
  chmod 644 "$dir/$1-key.pem" "$dir/$1.pem"
}
issue control-plane serverAuth DNS:control-plane
# The URI names the role the control plane grants (only Envoys may stream access logs).
issue envoy clientAuth URI:spiffe://tollgate/envoy
issue ratelimit clientAuth URI:spiffe://tollgate/ratelimit
# The network alias Envoy's tollgate_ratelimit cluster resolves and verifies.
issue ratelimit-server serverAuth DNS:ratelimit
chmod 644 "$dir/ca.pem"
echo "compose-certs: certificates in $dir" >&2
