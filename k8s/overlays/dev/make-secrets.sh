#!/usr/bin/env bash
# Makes the dev overlay's throwaway secrets in secrets/ beside this script (gitignored): random
# passwords and admin token, and a fresh CA with the control plane's server certificate and the
# Envoy and rate-limit service client certificates for the gRPC port's mutual TLS, and the rate-limit
# services' server certificate for Envoy's mutual TLS calls to them (30 days).
# Run it once before `kubectl apply -k k8s/overlays/dev`; again to rotate everything.
# Needs openssl. Never use these for production: see k8s/overlays/prod/kustomization.yaml.
set -euo pipefail

dir="$(cd "$(dirname "$0")" && pwd)/secrets"
namespace="${NAMESPACE:-tollgate}"
mkdir -p "$dir"
cd "$dir"
umask 077

random() { openssl rand -hex 24; }

printf 'token=%s\n' "$(random)" >admin.env
printf 'url=jdbc:postgresql://postgres:5432/tollgate\nusername=tollgate\npassword=%s\n' \
  "$(random)" >db.env
printf 'password=%s\n' "$(random)" >redis.env

openssl req -x509 -new -nodes -days 30 -subj "/CN=tollgate dev CA" \
  -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ca.key -out ca.crt 2>/dev/null

# cert NAME USAGE SAN...: a PKCS#8 key and a certificate signed by the CA (SANs as DNS:x, URI:y).
cert() {
  local name="$1" usage="$2"
  shift 2
  local sans
  sans="$(printf '%s,' "$@")"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" 2>/dev/null
  openssl req -new -key "$name.key" -subj "/CN=$name" -out "$name.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nkeyUsage=critical,digitalSignature\n' \
    "${sans%,}" "$usage" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

cert server serverAuth DNS:control-plane "DNS:control-plane.$namespace" \
  "DNS:control-plane.$namespace.svc" "DNS:control-plane.$namespace.svc.cluster.local"
# The URI SAN is the role the control plane authorizes: only Envoys may stream access logs.
cert envoy clientAuth URI:spiffe://tollgate/envoy
cert ratelimit clientAuth URI:spiffe://tollgate/ratelimit
# The name Envoy verifies is TOLLGATE_RATELIMIT_ADDRESS's host, the headless Service.
cert ratelimit-server serverAuth DNS:ratelimit "DNS:ratelimit.$namespace" \
  "DNS:ratelimit.$namespace.svc" "DNS:ratelimit.$namespace.svc.cluster.local"
rm -f ca.srl ca.key
echo "make-secrets: wrote $dir" >&2
