package io.tollgate.ratelimit.stats;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Per-limit counters by stats key, bounded: {@code detailed_metric} and {@code value_to_metric}
 * create a series per request value, so past {@code maxKeys} series every new key counts into one
 * shared {@code overflow} series instead of growing memory without bound.
 */
public final class StatsRegistry {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  private final Map<String, LimitStats> byKey = new ConcurrentHashMap<>();
  private final int maxKeys;
  private final LimitStats overflow = new LimitStats(List.of("overflow"));
  private final LongAdder overflowed = new LongAdder();

  public StatsRegistry(int maxKeys) {
    this.maxKeys = maxKeys;
  }

  /**
   * The counters of {@code fullKey}; {@code path} is asked for only when the key is new.
   *
   * @param path the domain and the descriptor levels, unsanitized
   */
  public LimitStats stats(String fullKey, Supplier<List<String>> path) {
    LimitStats found = byKey.get(fullKey);
    if (found != null) {
      return found;
    }
    if (byKey.size() >= maxKeys) {
      overflowed.increment();
      return overflow;
    }
    return byKey.computeIfAbsent(fullKey, k -> new LimitStats(sanitize(path.get())));
  }

  public Collection<LimitStats> all() {
    List<LimitStats> out = new ArrayList<>(byKey.values());
    if (overflowed.sum() > 0) {
      out.add(overflow);
    }
    return out;
  }

  public int size() {
    return byKey.size();
  }

  /** How many lookups landed in the overflow series. */
  public long overflowCount() {
    return overflowed.sum();
  }

  /**
   * The reference's {@code SanitizeStatName}: ':' and '|' become '_' and the dots of IPv4 addresses
   * too, so label values equal the reference's.
   */
  static List<String> sanitize(List<String> path) {
    List<String> out = new ArrayList<>(path.size());
    for (String element : path) {
      String s = element.replace(':', '_').replace('|', '_');
      out.add(IPV4.matcher(s).replaceAll(m -> m.group().replace('.', '_')));
    }
    return out;
  }
}
