# Tollgate's commands. Each installs what it needs first (scripts/deps.sh) and builds with the
# newest JDK found under /usr/lib/jvm (bytecode stays Java 17).
#   make run                  control plane + Envoy in front of api.mercadolibre.com
#   UPSTREAM=mock make run    the same in front of the local nginx mock (offline)
#   STORE=redis make run      rate-limit counters in a local redis-server instead of memory
#   make test                 every unit and integration test, the API contract, then test-compose (what CI runs: .ci/run)
#   make images               tollgate/{control-plane,ratelimit-service,envoy,mock-upstream}:0.1.0
#                             with docker or podman (base images: JRE_IMAGE, ENVOY_IMAGE, DEBIAN_IMAGE)
#   make test-compose         compose.yaml itself under test, with podman (containers/test-compose.sh)
#   make bench                proxy, rate-limit, access-log, full-stack and cache benchmarks, results in
#                             bench/results/
#   BENCH=proxy make bench    one of them (proxy | ratelimit | accesslog | fullstack | cache | approximate)
#   make fmt | make clean
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
MVNW := ./mvnw -B
CONTROL_PLANE_JAR := control-plane/target/control-plane.jar
# What the control plane's jar is built from: rebuild only when one of these is newer.
# (Not the Dockerfiles: they package the jar.)
CONTROL_PLANE_SOURCES := $(shell find pom.xml protos control-plane -path '*/target' -prune -o -name Dockerfile -o -type f -print 2>/dev/null)
RATELIMIT_JAR := ratelimit-service/target/ratelimit-service.jar
RATELIMIT_SOURCES := $(shell find pom.xml protos ratelimit-service -path '*/target' -prune -o -name Dockerfile -o -type f -print 2>/dev/null)
BENCH ?= proxy ratelimit accesslog fullstack cache approximate
# Container images: the names compose.yaml, k8s/ and the README use.
IMAGE_TAG := 0.1.0
CONTAINER_ENGINE ?= $(shell command -v docker 2>/dev/null || command -v podman 2>/dev/null)
JRE_IMAGE ?= eclipse-temurin:25-jre
ENVOY_IMAGE ?= envoyproxy/envoy:v1.40.0
DEBIAN_IMAGE ?= debian:bookworm-slim

.PHONY: run test test-compose images bench fmt clean build

run:
	@deps="$$(scripts/deps.sh run)"; eval "$$deps"; \
	$(MAKE) -s --no-print-directory build; \
	exec scripts/run.sh

build: $(CONTROL_PLANE_JAR) $(RATELIMIT_JAR)

$(CONTROL_PLANE_JAR): $(CONTROL_PLANE_SOURCES)
	@echo "make: building $@"
	$(MVNW) -q -DskipTests -pl control-plane -am package

$(RATELIMIT_JAR): $(RATELIMIT_SOURCES)
	$(MVNW) -q -DskipTests -pl ratelimit-service -am package

# The compose test last: it packages the jars verify built (it skips itself without podman or root).
# The API contract fuzzes the jar verify packaged: 20 examples per operation, seed 1 (reproducible;
# about 1,200 cases, 55 s of fuzzing at a load average of 17); any finding fails the target.
test:
	@deps="$$(scripts/deps.sh test)"; eval "$$deps"; \
	$(MVNW) verify; \
	scripts/api-contract.sh 20 1
	@node --test control-plane/src/test/js/
	@containers/test-compose.sh

images:
	@[[ -n "$(CONTAINER_ENGINE)" ]] || { echo "make images: needs docker or podman" >&2; exit 1; }
	@deps="$$(scripts/deps.sh run)"; eval "$$deps"; \
	$(MAKE) -s --no-print-directory build
	$(CONTAINER_ENGINE) build --build-arg JRE_IMAGE=$(JRE_IMAGE) -t tollgate/control-plane:$(IMAGE_TAG) -f control-plane/Dockerfile .
	$(CONTAINER_ENGINE) build --build-arg JRE_IMAGE=$(JRE_IMAGE) -t tollgate/ratelimit-service:$(IMAGE_TAG) -f ratelimit-service/Dockerfile .
	$(CONTAINER_ENGINE) build --build-arg ENVOY_IMAGE=$(ENVOY_IMAGE) -t tollgate/envoy:$(IMAGE_TAG) -f envoy/Dockerfile .
	$(CONTAINER_ENGINE) build --build-arg DEBIAN_IMAGE=$(DEBIAN_IMAGE) -t tollgate/mock-upstream:$(IMAGE_TAG) -f mock-upstream/Dockerfile .

test-compose:
	@containers/test-compose.sh

bench:
	@deps="$$(scripts/deps.sh bench)"; eval "$$deps"; \
	$(MAKE) -s --no-print-directory build; \
	for b in $(BENCH); do bench/$$b/run.sh; done

fmt:
	@deps="$$(scripts/deps.sh run)"; eval "$$deps"; \
	$(MVNW) -q com.spotify.fmt:fmt-maven-plugin:format

clean:
	@deps="$$(scripts/deps.sh run)"; eval "$$deps"; \
	$(MVNW) -q clean; \
	rm -rf .run
