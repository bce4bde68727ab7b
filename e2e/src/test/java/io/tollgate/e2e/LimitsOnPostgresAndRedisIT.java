package io.tollgate.e2e;

/**
 * The same suite with the control plane on a real PostgreSQL, counters in a real redis-server, and
 * Envoy configured to fail closed (so the failure-mode test checks the 500s).
 */
class LimitsOnPostgresAndRedisIT extends LimitsSuite {

  @Override
  LimitsStack.Variant variant() {
    return new LimitsStack.Variant(true, true, true);
  }
}
