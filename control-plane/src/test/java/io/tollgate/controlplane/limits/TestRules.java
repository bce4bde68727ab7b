package io.tollgate.controlplane.limits;

import java.util.List;

/**
 * Limit rules for tests, built as a REST body naming only some fields would be (every path, one
 * shared counter, 1 per minute, enforced, enabled, exact): a test names what it is about, and a
 * field added to {@link LimitRule} is added here once instead of in every test.
 */
public final class TestRules {

  private final String name;
  private Match match = Match.ALL;
  private List<String> by = List.of();
  private Limit limit = new Limit(1L, Per.MINUTE);

  private TestRules(String name) {
    this.name = name;
  }

  public static TestRules rule(String name) {
    return new TestRules(name);
  }

  public TestRules pathPrefix(String prefix) {
    match = new Match(null, prefix, null, null, null, null);
    return this;
  }

  public TestRules pathRegex(String regex) {
    match = new Match(null, null, regex, null, null, null);
    return this;
  }

  /** A counter per client IP ({@code "by": ["ip"]}). */
  public TestRules byIp() {
    by = List.of("ip");
    return this;
  }

  public TestRules perMinute(long requests) {
    limit = new Limit(requests, Per.MINUTE);
    return this;
  }

  public LimitRule build() {
    return new LimitRule(name, match, by, limit, Mode.ENFORCE, true, Accuracy.EXACT);
  }
}
