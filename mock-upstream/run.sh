#!/usr/bin/env bash
# Runs the nginx mock upstream in the foreground until SIGTERM/SIGINT.
#   MOCK_ADDRESS    listen address (default 127.0.0.1; 0.0.0.0 in its container image)
#   MOCK_HTTP_PORT  (default 8088)   MOCK_HTTPS_PORT (default 8443)   MOCK_WORKERS (default auto)
#   MOCK_PREFIX     runtime directory (default .run/mock-upstream at the repository root)
# The TLS listener uses a self-signed certificate made here on first use (tests make their own CA).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
export MOCK_HOME="$here"
export MOCK_ADDRESS="${MOCK_ADDRESS:-127.0.0.1}"
export MOCK_HTTP_PORT="${MOCK_HTTP_PORT:-8088}"
export MOCK_HTTPS_PORT="${MOCK_HTTPS_PORT:-8443}"
export MOCK_WORKERS="${MOCK_WORKERS:-auto}"
export MOCK_PREFIX="${MOCK_PREFIX:-$root/.run/mock-upstream}"
export NGINX_ECHO_MODULE="${NGINX_ECHO_MODULE:-/usr/lib/nginx/modules/ngx_http_echo_module.so}"
export MOCK_CERT="$MOCK_PREFIX/tls/cert.pem" MOCK_KEY="$MOCK_PREFIX/tls/key.pem"

mkdir -p "$MOCK_PREFIX/tls"
chmod 755 "$MOCK_PREFIX"
# nginx workers may run as an unprivileged user: serve a world-readable copy of the fixtures.
rm -rf "$MOCK_PREFIX/html"
cp -r "$here/fixtures" "$MOCK_PREFIX/html"
chmod -R a+rX "$MOCK_PREFIX/html"
if [[ ! -s "$MOCK_CERT" ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,DNS:mock.tollgate.test,IP:127.0.0.1" \
    -keyout "$MOCK_KEY" -out "$MOCK_CERT" 2>/dev/null
fi
"$root/envoy/render.sh" "$here/nginx.conf" >"$MOCK_PREFIX/nginx.conf"

nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
exec "$nginx_bin" -p "$MOCK_PREFIX" -e "$MOCK_PREFIX/error.log" -c "$MOCK_PREFIX/nginx.conf" -g 'daemon off;'
