package io.tollgate.ratelimit.quota;

import io.tollgate.ratelimit.config.ActiveConfig;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.store.CounterStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every RLQS stream shares.
 *
 * @param storeDeadline {@code STORE_DEADLINE}: longest wait for the store per report
 * @param globalShadowMode {@code SHADOW_MODE}: never deny, only count
 * @param scheduler runs the window-boundary pushes (never blocks: it only queues work)
 */
record QuotaContext(
    ActiveConfig config,
    BucketLimits limits,
    CounterStore store,
    Duration storeDeadline,
    AssignmentMath math,
    Settings.Quota settings,
    boolean globalShadowMode,
    Clock clock,
    QuotaMetrics metrics,
    Reservations reservations,
    ScheduledExecutorService scheduler) {}
