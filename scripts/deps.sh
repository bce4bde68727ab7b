#!/usr/bin/env bash
# Installs what Tollgate needs and is missing, on Debian 12; fast (no network) when all is present.
#   scripts/deps.sh run     JDK, Envoy, curl (+ nginx and openssl when UPSTREAM=mock,
#                           + redis-server when STORE=redis)
#   scripts/deps.sh test    run's + nginx with the echo module, openssl, redis-server, PostgreSQL,
#                           kubectl, kubernetes-validate and schemathesis (PyPI, pinned, into .venv/),
#                           chromium + chromium-driver (the console's browser test),
#                           nodejs (node --test for the console's modules), prometheus (promtool),
#                           podman + runc as root (the compose test)
#   scripts/deps.sh bench   run's + nginx with the echo module, openssl, wrk, redis-server
#   scripts/deps.sh all     everything
#   scripts/deps.sh compose run's + what the compose test needs: podman and runc (as root), netavark
#                           and aardvark-dns for name resolution, debootstrap, jq, openssl
# Progress goes to stderr. Stdout gets shell assignments for the caller to eval:
#   JAVA_HOME=...   (the newest JDK under /usr/lib/jvm)   ENVOY_BIN=...
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
need="${1:-run}"
case "$need" in run | test | bench | all | compose) ;; *)
  echo "usage: $0 run|test|bench|all|compose" >&2
  exit 2
  ;;
esac

log() { echo "deps: $*" >&2; }
has() { command -v "$1" >/dev/null 2>&1; }

missing=()
want() { # want PACKAGE when the check fails
  local pkg="$1"
  shift
  if ! "$@"; then missing+=("$pkg"); fi
}
has_javac() { has javac || compgen -G '/usr/lib/jvm/*/bin/javac' >/dev/null; }
has_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
has_nginx() { has nginx || [[ -x /usr/sbin/nginx ]]; }
has_echo_module() { [[ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ]]; }
has_envoy() {
  has envoy || { [[ -x "$root/.venv/bin/python" ]] \
    && "$root/.venv/bin/python" -c 'import envoy' >/dev/null 2>&1; }
}
has_venv() { has python3 && python3 -c 'import venv, ensurepip' >/dev/null 2>&1; }

want openjdk-17-jdk-headless has_javac
want curl has curl
if ! has_envoy; then want python3-venv has_venv; fi
mock=false
[[ "$need" != run || "${UPSTREAM:-}" == mock ]] && mock=true
if $mock; then
  want nginx-light has_nginx
  want libnginx-mod-http-echo has_echo_module
  want openssl has openssl
fi
if [[ "$need" == test || "$need" == bench || "$need" == all || "${STORE:-}" == redis ]]; then
  want redis-server has redis-server
fi
if [[ "$need" == test || "$need" == all ]]; then
  want postgresql has_postgres
  # The deploy module renders k8s/ with kubectl's kustomize and validates it offline.
  want kubectl has kubectl
  want python3-venv has_venv
  # promtool checks and unit-tests the alert rules; prometheus runs the live dashboard-query check.
  want prometheus has promtool
  # The console's browser test (ConsoleBrowserIT) drives Debian's headless Chromium.
  want chromium has chromium
  want chromium-driver has chromedriver
  # The console's formatting tests run on node's own test runner (node --test).
  want nodejs has node
fi
# The compose test (the last step of make test) runs compose.yaml under rootful podman with the
# runc runtime (Debian's default crun fails here); as another user it skips, so nothing is asked.
if [[ "$need" == test || "$need" == all || "$need" == compose ]] && [[ "$(id -u)" == 0 ]]; then
  want podman has podman
  want runc test -x /usr/sbin/runc
fi
if [[ "$need" == bench || "$need" == all ]]; then
  want wrk has wrk
  want python3 has python3
fi

if [[ "$need" == compose ]]; then
  want netavark has /usr/lib/podman/netavark
  want aardvark-dns has /usr/lib/podman/aardvark-dns
  want debootstrap has debootstrap
  want jq has jq
  want openssl has openssl
  want python3-venv has_venv
fi

if ((${#missing[@]})); then
  sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo)
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The newest JDK (by the major version in its `release` file): bytecode is Java 17 either way.
java_home=""
best=0
for dir in /usr/lib/jvm/*/; do
  dir="${dir%/}"
  [[ -x "$dir/bin/javac" && -f "$dir/release" ]] || continue
  version="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$dir/release")"
  if [[ -n "$version" ]] && ((version > best)); then
    best="$version"
    java_home="$dir"
  fi
done
if [[ -z "$java_home" ]]; then
  log "no JDK with javac under /usr/lib/jvm"
  exit 1
fi
log "JAVA_HOME=$java_home (Java $best)"
envoy_bin="$("$root/envoy/install-envoy.sh")"
log "envoy: $envoy_bin"

# kubernetes-validate: the Kubernetes schemas, offline, for the deploy module's manifest tests.
KUBERNETES_VALIDATE_VERSION=1.37.0
if [[ "$need" == test || "$need" == all ]]; then
  validate="$root/.venv/bin/kubernetes-validate"
  if [[ "$("$validate" --version 2>/dev/null)" != *"$KUBERNETES_VALIDATE_VERSION"* ]]; then
    [[ -x "$root/.venv/bin/python" ]] || python3 -m venv "$root/.venv" >&2
    log "installing kubernetes-validate==$KUBERNETES_VALIDATE_VERSION into .venv/"
    "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
  fi
fi

# schemathesis: fuzzes the control plane's REST API from its OpenAPI description (OpenApiContractIT).
SCHEMATHESIS_VERSION=4.32.5
if [[ "$need" == test || "$need" == all ]]; then
  st="$root/.venv/bin/schemathesis"
  if [[ "$("$st" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    [[ -x "$root/.venv/bin/python" ]] || python3 -m venv "$root/.venv" >&2
    log "installing schemathesis==$SCHEMATHESIS_VERSION into .venv/"
    "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      "schemathesis==$SCHEMATHESIS_VERSION" >&2
  fi
fi

printf 'export JAVA_HOME=%q\nexport ENVOY_BIN=%q\n' "$java_home" "$envoy_bin"
