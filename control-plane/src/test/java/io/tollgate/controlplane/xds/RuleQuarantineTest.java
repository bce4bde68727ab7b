package io.tollgate.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.TestRules;
import io.tollgate.controlplane.xds.translate.DescriptorStep;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleQuarantineTest {

  private static LimitRule rule(String name, String pathRegex) {
    return TestRules.rule(name).pathRegex(pathRegex).perMinute(1).build();
  }

  private final LimitRule a = rule("a", "/a+");
  private final LimitRule b = rule("b", "/b{50}");
  private final LimitRule c = rule("c", "/c+");

  @Test
  void theCulpritIsTheChangedRuleWhoseRegexEnvoyQuotes() {
    String message =
        "regex '"
            + new DescriptorStep.PathGate(DescriptorStep.PathKind.REGEX, "/b{50}").regex()
            + "' RE2 program size of 66 > max program size of 40";

    assertThat(RuleQuarantine.culprits(List.of(a, b, c), List.of(a), message)).containsExactly(b);
  }

  @Test
  void withoutAQuoteEveryChangedRuleIsACulpritAndUnchangedOnesNever() {
    LimitRule changedA = rule("a", "/a*");

    assertThat(RuleQuarantine.culprits(List.of(changedA, b), List.of(a, b), "some other reason"))
        .containsExactly(changedA);
    assertThat(RuleQuarantine.culprits(List.of(a, b), List.of(a, b), "gateway problem")).isEmpty();
    // the accepted version unknown (a restart): only a quoted rule is held, never all of them
    assertThat(RuleQuarantine.culprits(List.of(a, b), null, "some other reason")).isEmpty();
  }

  @Test
  void aHeldRuleIsReleasedWhenItChangesOrGoes() {
    RuleQuarantine quarantine =
        new RuleQuarantine(Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC));
    quarantine.reject(List.of(b), "too big");

    assertThat(quarantine.servable(List.of(a, b, c))).containsExactly(a, c);
    assertThat(quarantine.rejection(b))
        .get()
        .extracting(RuleQuarantine.Rejection::message)
        .isEqualTo("too big");

    LimitRule fixedB = rule("b", "/b+");
    quarantine.retainCurrent(List.of(a, fixedB));
    assertThat(quarantine.servable(List.of(a, fixedB))).containsExactly(a, fixedB);
    assertThat(quarantine.rejection(b)).isEmpty();
  }
}
