#!/usr/bin/env python3
"""Profile variants of bench/fullstack/run.sh (standard library only): Tollgate's Envoy
configuration, taken from its admin's config_dump, as a static bootstrap with one thing switched
off, so each part's cost per request shows against the same configuration with it on. The
"floor" variants keep ONE part of Tollgate's configuration on an otherwise bare one (no access
log, no rate limit, no hardening): what that part alone costs stock Envoy, whatever the control
plane and the services do. Variants named approx-* render the dump taken with the per-IP rule on
the approximate tier (its rate_limit_quota filter); the others the dump with it on the exact tier.

  variants.py list [exact|approx]             prints "NAME<TAB>LABEL" per variant of that dump
  variants.py render DUMP NAME PORT ADMIN     prints the bootstrap (JSON) of variant NAME, its
                                              listener on 127.0.0.1:PORT, its admin on ADMIN

The listener, routes (inlined instead of RDS) and clusters are the dumped ones; the access log
still streams to the control plane and the rate-limit filter still calls the rate-limit service.
"""
import json
import sys

RATELIMIT_FILTER = "envoy.filters.http.ratelimit"
QUOTA_FILTER_PREFIX = "tollgate.quota."
# What bare drops from the connection manager on top of the access log and the rate limit.
HARDENING = ["use_remote_address", "normalize_path", "merge_slashes",
             "path_with_escaped_slashes_action", "generate_request_id",
             "always_set_request_id_in_response", "server_name", "server_header_transformation",
             "request_headers_timeout", "stream_idle_timeout", "common_http_protocol_options",
             "http2_protocol_options", "local_reply_config"]


def no_access_log(hcm, routes, clusters):
    hcm.pop("access_log", None)


def no_ratelimit(hcm, routes, clusters):
    hcm["http_filters"] = [f for f in hcm["http_filters"] if f["name"] != RATELIMIT_FILTER]


def neither(hcm, routes, clusters):
    no_access_log(hcm, routes, clusters)
    no_ratelimit(hcm, routes, clusters)


def bare(hcm, routes, clusters):
    neither(hcm, routes, clusters)
    no_quota(hcm, routes, clusters)
    drop_hardening(hcm)


def no_quota(hcm, routes, clusters):
    hcm["http_filters"] = [f for f in hcm["http_filters"]
                           if not f["name"].startswith(QUOTA_FILTER_PREFIX)]


def drop_hardening(hcm):
    for key in HARDENING:
        hcm.pop(key, None)


def floor_ratelimit(hcm, routes, clusters):
    """Only the rate-limit filter (and the route's descriptor actions) on a bare configuration."""
    no_access_log(hcm, routes, clusters)
    no_quota(hcm, routes, clusters)
    drop_hardening(hcm)


def floor_access_log(hcm, routes, clusters):
    """Only the gRPC access log on a bare configuration."""
    no_ratelimit(hcm, routes, clusters)
    no_quota(hcm, routes, clusters)
    drop_hardening(hcm)


def floor_quota(hcm, routes, clusters):
    """Only the rate_limit_quota filter(s) on a bare configuration."""
    no_access_log(hcm, routes, clusters)
    no_ratelimit(hcm, routes, clusters)
    drop_hardening(hcm)


def local_ratelimit_filter(bucket):
    """Envoy's local rate limit with one per-IP dynamic descriptor (a token bucket per address, LRU
    bounded), as a per-IP rule never reached; bucket is the default token bucket or None."""
    config = {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        "stat_prefix": "tollgate_local",
        "filter_enabled": {"default_value": {"numerator": 100, "denominator": "HUNDRED"}},
        "filter_enforced": {"default_value": {"numerator": 100, "denominator": "HUNDRED"}},
        "always_consume_default_token_bucket": False,
        "max_dynamic_descriptors": 10000,
        "token_bucket": {"max_tokens": 1000000000, "tokens_per_fill": 1000000000, "fill_interval": "1s"},
        "descriptors": [{"entries": [{"key": "rule", "value": "per-ip"}, {"key": "remote_address", "value": ""}],
                         "token_bucket": {"max_tokens": 100000000, "tokens_per_fill": 100000000,
                                          "fill_interval": "60s"}}],
        "rate_limits": [{"actions": [{"generic_key": {"descriptor_key": "rule", "descriptor_value": "per-ip"}},
                                     {"remote_address": {}}]}],
    }
    return {"name": "envoy.filters.http.local_ratelimit", "typed_config": config}


def floor_local_ratelimit(hcm, routes, clusters):
    """Only Envoy's local rate limit (a per-IP dynamic descriptor) on a bare configuration."""
    bare(hcm, routes, clusters)
    hcm["http_filters"].insert(len(hcm["http_filters"]) - 1, local_ratelimit_filter(None))


# What the statistics read, as format strings (the OpenTelemetry logger logs only what it is told).
OTEL_ATTRIBUTES = {
    "status": "%RESPONSE_CODE%", "method": "%REQ(:METHOD)%", "path": "%REQ(:PATH)%",
    "request_id": "%REQ(X-REQUEST-ID)%", "client": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
    "peer": "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%", "upstream": "%UPSTREAM_CLUSTER%",
    "flags": "%RESPONSE_FLAGS%", "details": "%RESPONSE_CODE_DETAILS%",
    "start": "%START_TIME(%s%3f)%", "duration_us": "%DURATION%", "limit": "%RESP(X-RATELIMIT-LIMIT)%",
    "rl": "%DYNAMIC_METADATA(envoy.filters.http.ratelimit)%",
}


def otel_log(hcm, routes, clusters):
    """The gRPC access log replaced by Envoy's OpenTelemetry logger with only those fields (to the
    control plane's port, which does not serve OTLP: the entries are formatted and buffered, the
    stream fails, so this is the per-request cost without the sending)."""
    common = hcm["access_log"][0]["typed_config"]["common_config"]
    hcm["access_log"] = [{"name": "envoy.access_loggers.open_telemetry", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.access_loggers.open_telemetry.v3."
                 "OpenTelemetryAccessLogConfig",
        "common_config": common, "disable_builtin_labels": True,
        "attributes": {"values": [{"key": k, "value": {"string_value": v}}
                                  for k, v in OTEL_ATTRIBUTES.items()]}}}]


def file_log(hcm, routes, clusters):
    """The gRPC access log replaced by a file log of the same fields to /dev/null."""
    hcm["access_log"] = [{"name": "envoy.access_loggers.file", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
        "path": "/dev/null",
        "log_format": {"text_format_source": {"inline_string": " ".join(OTEL_ATTRIBUTES.values()) + "\n"}}}}]


def sampled_log(hcm, routes, clusters):
    """The gRPC access log kept for every answer of 400 or more and for 10 % of the others (an
    access-log filter): what the per-entry cost of the logger is, against one entry in ten."""
    hcm["access_log"][0]["filter"] = {"or_filter": {"filters": [
        {"status_code_filter": {"comparison": {"op": "GE", "value": {
            "default_value": 400, "runtime_key": "tollgate.log_all_from"}}}},
        {"runtime_filter": {"runtime_key": "tollgate.log_sample", "percent_sampled": {
            "numerator": 10, "denominator": "HUNDRED"}}}]}}


def ratelimit_filters(hcm):
    return [f["typed_config"] for f in hcm["http_filters"] if f["name"] == RATELIMIT_FILTER]


def no_ratelimit_headers(hcm, routes, clusters):
    for f in ratelimit_filters(hcm):
        f.pop("enable_x_ratelimit_headers", None)


def google_grpc(hcm, routes, clusters):
    service = next(c for c in clusters if c["name"] == "tollgate_ratelimit")
    endpoint = service["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
    address = endpoint["address"]["socket_address"]
    for f in ratelimit_filters(hcm):
        f["rate_limit_service"]["grpc_service"] = {"google_grpc": {
            "target_uri": f"{address['address']}:{address['port_value']}", "stat_prefix": "rl"}}


def no_retries(hcm, routes, clusters):
    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("route"), dict):
                node["route"].pop("retry_policy", None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(routes)


def unchanged(hcm, routes, clusters):
    pass


VARIANTS = {
    "static": (unchanged, "as served over xDS, but static"),
    "no-access-log": (no_access_log, "without the gRPC access log"),
    "no-ratelimit": (no_ratelimit, "without the rate-limit filter"),
    "neither": (neither, "without the access log and the rate-limit filter"),
    "bare": (bare, "without either nor request ids, path normalisation and the other hardening"),
    "no-ratelimit-headers": (no_ratelimit_headers, "without the x-ratelimit-* response headers"),
    "google-grpc": (google_grpc, "the rate-limit call through Envoy's Google gRPC client"),
    "no-retries": (no_retries, "without the routes' retry policy"),
    "floor-ratelimit": (floor_ratelimit, "floor: only the rate-limit filter, nothing else on"),
    "floor-access-log": (floor_access_log, "floor: only the gRPC access log, nothing else on"),
    "floor-local-ratelimit": (floor_local_ratelimit,
                              "floor: only Envoy's local rate limit (per-IP dynamic bucket)"),
    "approx-static": (unchanged, "as served over xDS, but static"),
    "approx-no-access-log": (no_access_log, "without the gRPC access log"),
    "approx-no-quota": (no_quota, "without the rate_limit_quota filter"),
    "approx-bare": (bare, "without the access log, the quota filter and the hardening"),
    "otel-log": (otel_log, "with the OpenTelemetry access logger of the read fields only"),
    "sampled-log": (sampled_log, "with the gRPC access log of every 4xx/5xx and 10 % of the rest"),
    "approx-sampled-log": (sampled_log, "with the gRPC access log of every 4xx/5xx and 10 % of the rest"),
    "file-log": (file_log, "with a file access log of the read fields only (/dev/null)"),
    "approx-otel-log": (otel_log, "with the OpenTelemetry access logger of the read fields only"),
    "approx-file-log": (file_log, "with a file access log of the read fields only (/dev/null)"),
    "approx-floor-quota": (floor_quota, "floor: only the rate_limit_quota filter, nothing else on"),
}


def untyped(resource):
    resource.pop("@type", None)
    return resource


def render(dump_file, name, port, admin):
    dump = json.load(open(dump_file))
    found = {}
    for config in dump["configs"]:
        found[config["@type"].rsplit(".", 1)[1]] = config
    bootstrap = found["BootstrapConfigDump"]["bootstrap"]
    clusters = [untyped(c["cluster"]) for c in
                found["ClustersConfigDump"].get("static_clusters", [])
                + found["ClustersConfigDump"].get("dynamic_active_clusters", [])]
    listener = untyped(found["ListenersConfigDump"]["dynamic_listeners"][0]["active_state"]["listener"])
    routes = untyped(found["RoutesConfigDump"]["dynamic_route_configs"][0]["route_config"])
    hcm = listener["filter_chains"][0]["filters"][0]["typed_config"]
    del hcm["rds"]
    hcm["route_config"] = routes
    listener["address"]["socket_address"] = {"address": "127.0.0.1", "port_value": int(port)}
    VARIANTS[name][0](hcm, routes, clusters)
    return {
        "node": {"id": f"bench-variant-{name}", "cluster": "bench"},
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": int(admin)}}},
        "static_resources": {"listeners": [listener], "clusters": clusters},
        "overload_manager": bootstrap.get("overload_manager", {}),
        "layered_runtime": bootstrap.get("layered_runtime", {}),
    }


if __name__ == "__main__":
    if sys.argv[1] == "list":
        approx = len(sys.argv) > 2 and sys.argv[2] == "approx"
        for name, (_, label) in VARIANTS.items():
            if name.startswith("approx-") == approx:
                print(f"{name}\t{label}")
    elif sys.argv[1] == "render":
        json.dump(render(*sys.argv[2:6]), sys.stdout, indent=1)
    else:
        sys.exit(f"variants.py: unknown command {sys.argv[1]}")
