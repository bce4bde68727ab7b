package io.tollgate.controlplane.stats;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;

/**
 * A validated filter over the blocked calls: by request id, client IP and rule (each optional).
 * Addresses compare by value, so {@code ::1} finds {@code 0:0:0:0:0:0:0:1}.
 */
record BlockedCallQuery(String requestId, InetAddress clientIp, String rule) {

  /** Envoy's UUIDs are 36 characters; clients may send their own id, within reason. */
  static final int MAX_REQUEST_ID = 128;

  /**
   * @param ipIsNew whether the address came as {@code clientIp} (else the deprecated {@code ip}),
   *     so the problem names the parameter the client sent
   */
  static BlockedCallQuery of(String requestId, String clientIp, boolean ipIsNew, String rule) {
    if (requestId != null && !validRequestId(requestId)) {
      throw new StatsParameterException(
          "requestId",
          "requestId must be 1 to " + MAX_REQUEST_ID + " printable ASCII characters, no spaces");
    }
    InetAddress address = null;
    if (clientIp != null) {
      String name = ipIsNew ? "clientIp" : "ip";
      if (!InetAddresses.isInetAddress(clientIp)) {
        throw new StatsParameterException(
            name, name + " must be an IPv4 or IPv6 address, e.g. 203.0.113.7");
      }
      address = InetAddresses.forString(clientIp);
    }
    return new BlockedCallQuery(requestId, address, rule);
  }

  boolean matches(BlockedCall c) {
    return (requestId == null || requestId.equals(c.requestId()))
        && (clientIp == null || sameAddress(c.clientIp()))
        && (rule == null || rule.equals(c.rule()));
  }

  private boolean sameAddress(String recorded) {
    return recorded != null
        && InetAddresses.isInetAddress(recorded)
        && InetAddresses.forString(recorded).equals(clientIp);
  }

  private static boolean validRequestId(String s) {
    if (s.isEmpty() || s.length() > MAX_REQUEST_ID) {
      return false;
    }
    return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }
}
