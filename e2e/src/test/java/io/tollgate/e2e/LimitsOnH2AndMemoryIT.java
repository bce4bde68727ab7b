package io.tollgate.e2e;

/** The limits suite with the defaults: H2 file, in-memory counters, fail open. */
class LimitsOnH2AndMemoryIT extends LimitsSuite {

  @Override
  LimitsStack.Variant variant() {
    return new LimitsStack.Variant(false, false, false);
  }
}
