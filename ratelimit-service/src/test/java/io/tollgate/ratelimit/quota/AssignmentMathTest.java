package io.tollgate.ratelimit.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ratelimit.settings.Settings;
import org.junit.jupiter.api.Test;

/** The assignment arithmetic: share split, window roll-over, deny-all, reservations, TTLs. */
class AssignmentMathTest {

  /** 2030-01-01T00:00:00Z: aligned to every unit up to a day. */
  private static final long T0 = 1_893_456_000_000L;

  private static final long MINUTE = 60_000;
  private final AssignmentMath math = new AssignmentMath(5_000, 60);

  @Test
  void theRemainderIsSplitBySharePacedOverTheRestOfTheWindow() {
    // 30 s into the window, 400 of 1,000 spent: 600 left, 30 s to spend them in.
    Assignment a = math.assign(1_000, MINUTE, T0 + 30_000, 400, 0.25, 0);
    Assignment b = math.assign(1_000, MINUTE, T0 + 30_000, 400, 0.75, 0);
    assertThat(a.kind()).isEqualTo(Assignment.Kind.TOKEN_BUCKET);
    assertThat(a.allowance()).isEqualTo(150);
    assertThat(b.allowance()).isEqualTo(450);
    assertThat(a.ratePerSecond()).isCloseTo(5.0, org.assertj.core.data.Offset.offset(0.001));
    assertThat(b.ratePerSecond()).isCloseTo(15.0, org.assertj.core.data.Offset.offset(0.001));
    assertThat(a.fillIntervalSeconds()).isEqualTo(AssignmentMath.FILL_INTERVAL_SECONDS);
    // One second of tokens: a client bursting beyond its pace waits.
    assertThat(a.maxTokens()).isEqualTo(5);
    // Until the window's end plus a second, in Envoy's whole seconds.
    assertThat(a.ttlSeconds()).isEqualTo(31);
  }

  @Test
  void theLimitSpentIsDenyAllUntilTheWindowsEnd() {
    Assignment spent = math.assign(1_000, MINUTE, T0 + 45_500, 1_000, 0.5, 0);
    assertThat(spent.kind()).isEqualTo(Assignment.Kind.DENY_ALL);
    assertThat(spent.ttlSeconds()).isEqualTo(16); // 14.5 s left, rounded up, plus one
    assertThat(math.assign(1_000, MINUTE, T0 + 45_500, 1_700, 0.5, 0).kind())
        .isEqualTo(Assignment.Kind.DENY_ALL);
  }

  @Test
  void theNextWindowStartsWithTheWholeLimit() {
    // The count the caller passes is the new window's: the old one's 1,000 no longer applies.
    Assignment next = math.assign(1_000, MINUTE, T0 + MINUTE + 5, 0, 0.5, 0);
    assertThat(next.kind()).isEqualTo(Assignment.Kind.TOKEN_BUCKET);
    assertThat(next.allowance()).isEqualTo(500);
    assertThat(next.ttlSeconds()).isEqualTo(60); // capped by RLQS_ASSIGNMENT_TTL_MAX
  }

  @Test
  void otherStreamsReservationsCapTheAllowance() {
    // A share of 0.8 of 600 left, but the others hold 300 of it.
    assertThat(math.assign(1_000, MINUTE, T0, 400, 0.8, 300).allowance()).isEqualTo(300);
    assertThat(math.assign(1_000, MINUTE, T0, 400, 0.8, 600).kind())
        .isEqualTo(Assignment.Kind.DENY_ALL);
  }

  @Test
  void aTinyShareStillGetsOneToken() {
    Assignment a = math.assign(1_000, MINUTE, T0, 990, 0.01, 0);
    assertThat(a.allowance()).isEqualTo(1);
    assertThat(a.maxTokens()).isEqualTo(1);
    assertThat(a.tokensPerFill()).isPositive();
  }

  @Test
  void theLastSecondIsPacedOverASecond() {
    Assignment a = math.assign(1_000, MINUTE, T0 + MINUTE - 200, 900, 1, 0);
    assertThat(a.ratePerSecond()).isCloseTo(100, org.assertj.core.data.Offset.offset(0.01));
    assertThat(a.ttlSeconds()).isEqualTo(2);
  }

  @Test
  void shortWindowsGetTheirShareOfTheSteadyRate() {
    assertThat(math.isShortWindow(1_000)).isTrue();
    assertThat(math.isShortWindow(MINUTE)).isFalse();
    Assignment a = math.assign(100, 1_000, T0 + 300, 100_000, 0.5, 0);
    assertThat(a.kind()).isEqualTo(Assignment.Kind.TOKEN_BUCKET);
    assertThat(a.ratePerSecond()).isCloseTo(50, org.assertj.core.data.Offset.offset(0.01));
    assertThat(a.maxTokens()).isEqualTo(50);
    assertThat(a.ttlSeconds()).isEqualTo(10);
  }

  @Test
  void storeFailuresAreAnsweredPerTheSetting() {
    BucketAssigner assigner = new BucketAssigner(math, 0.5);
    assigner.report(600, MINUTE, T0, 10, 10, 10, Reservations.Reserved.NONE);
    Assignment share = assigner.storeFailed(600, MINUTE, Settings.QuotaStoreFailure.SHARE);
    assertThat(share.ratePerSecond()).isCloseTo(10, org.assertj.core.data.Offset.offset(0.01));
    assertThat(assigner.storeFailed(600, MINUTE, Settings.QuotaStoreFailure.ALLOW).kind())
        .isEqualTo(Assignment.Kind.ALLOW_ALL);
    assertThat(assigner.storeFailed(600, MINUTE, Settings.QuotaStoreFailure.DENY).kind())
        .isEqualTo(Assignment.Kind.DENY_ALL);
  }

  @Test
  void theShareFollowsTheFleetsDemandSmoothly() {
    BucketAssigner a = new BucketAssigner(math, 0.5);
    // First report: an even split with the one other stream known.
    a.report(1_000, MINUTE, T0, 10, 1_000, 10, new Reservations.Reserved(0, 1));
    assertThat(a.share()).isEqualTo(0.5);
    // Then 30 of the fleet's 40 since: a sample of 0.75, half-weighted.
    a.report(1_000, MINUTE, T0 + 5_000, 30, 1_040, 40, Reservations.Reserved.NONE);
    assertThat(a.share()).isEqualTo(0.625);
    // A push keeps the share and the demand baseline.
    a.push(1_000, MINUTE, T0 + MINUTE + 5, 0, Reservations.Reserved.NONE);
    assertThat(a.share()).isEqualTo(0.625);
    assertThat(a.windowEnd()).isEqualTo(T0 + 2 * MINUTE);
    // A lost counter (it went down) keeps the share.
    a.report(1_000, MINUTE, T0 + MINUTE + 10, 5, 3, 5, Reservations.Reserved.NONE);
    assertThat(a.share()).isEqualTo(0.625);
  }

  @Test
  void demandShareSamplesAreClampedAndSmoothed() {
    assertThat(DemandShare.update(Double.NaN, 3, 4, 0.5)).isEqualTo(0.75);
    assertThat(DemandShare.update(0.5, 10, 5, 0.5)).isEqualTo(0.75);
    assertThat(DemandShare.update(0.5, 0, 0, 0.5)).isEqualTo(0.5);
    assertThat(DemandShare.update(Double.NaN, 0, 0, 0.5)).isEqualTo(1);
  }

  @Test
  void aReportStraddlingABoundaryCountsItsEarlierPartInThePreviousWindow() {
    // Reported at 2 s into the window, previous report 3 s before the boundary: 3/5 before it.
    assertThat(UsageSplit.previousWindowPart(100, T0 - 3_000, T0, T0 + 2_000)).isEqualTo(60);
    assertThat(UsageSplit.previousWindowPart(100, T0 + 1_000, T0, T0 + 2_000)).isZero();
    assertThat(UsageSplit.previousWindowPart(100, Long.MIN_VALUE, T0, T0 + 2_000)).isZero();
  }
}
