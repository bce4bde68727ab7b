package io.tollgate.ratelimit.config;

import io.tollgate.ratelimit.stats.ServiceStats;
import io.tollgate.referenceconfig.ConfigException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration requests are decided against. A new configuration replaces the old one whole or
 * not at all; a rejected one is counted ({@code config_load_error}) and logged with its file and
 * reason while the last good one stays active.
 */
public final class ActiveConfig {

  private static final Logger LOG = LoggerFactory.getLogger(ActiveConfig.class);

  private final ServiceStats stats;
  private final List<Consumer<CompiledConfig>> listeners = new CopyOnWriteArrayList<>();
  private volatile CompiledConfig current;

  public ActiveConfig(ServiceStats stats) {
    this.stats = stats;
  }

  /** The active configuration, or null before the first one loaded. */
  public CompiledConfig current() {
    return current;
  }

  public void apply(CompiledConfig config) {
    current = config;
    stats.configLoaded();
    LOG.info("loaded rate-limit configuration: {} domain(s)", config.domains().size());
    listeners.forEach(l -> l.accept(config));
  }

  public void reject(ConfigException error) {
    stats.configRejected();
    LOG.error(
        "rejected rate-limit configuration, keeping the last good one: {}", error.getMessage());
  }

  /** Called with each configuration applied from now on. */
  public void onApply(Consumer<CompiledConfig> listener) {
    listeners.add(listener);
  }
}
