package io.tollgate.controlplane.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 range. {@link #toString()} spells it the way Envoy's {@code
 * masked_remote_address} action spells a masked client address ({@code 10.0.0.0/8}, {@code
 * 2001:db8::/32}), so a rule's range and the descriptor value Envoy sends compare equal as strings.
 *
 * @param address the network address, host bits zero (4 or 16 bytes)
 * @param prefixLength 0..32 or 0..128
 */
public record Cidr(byte[] address, int prefixLength) {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

  public Cidr {
    address = address.clone();
  }

  @Override
  public byte[] address() {
    return address.clone();
  }

  /** True for an IPv4 range. */
  public boolean isIpv4() {
    return address.length == 4;
  }

  /**
   * Parses {@code a.b.c.d/len} or {@code ipv6/len}, without ever resolving a name.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR (address/prefix-length)");
    }
    String host = text.substring(0, slash);
    String length = text.substring(slash + 1);
    byte[] bytes = parseAddress(host, text);
    int max = bytes.length * 8;
    if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > max) {
      throw new IllegalArgumentException(
          "'" + text + "' has an invalid prefix length; expected 0.." + max);
    }
    int prefix = Integer.parseInt(length);
    Cidr cidr = new Cidr(mask(bytes, prefix), prefix);
    if (!java.util.Arrays.equals(cidr.address, bytes)) {
      throw new IllegalArgumentException(
          "'" + text + "' has host bits set; did you mean " + cidr + "?");
    }
    return cidr;
  }

  private static byte[] parseAddress(String host, String text) {
    if (IPV4.matcher(host).matches()) {
      String[] parts = host.split("\\.");
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(parts[i]);
        if (octet > 255) {
          throw new IllegalArgumentException("'" + text + "' is not a valid IPv4 address");
        }
        bytes[i] = (byte) octet;
      }
      return bytes;
    }
    // A string with a colon is parsed as an IPv6 literal, never looked up as a host name.
    if (host.contains(":") && IPV6_CHARS.matcher(host).matches()) {
      try {
        byte[] bytes = InetAddress.getByName(host).getAddress();
        if (bytes.length == 16) {
          return bytes;
        }
      } catch (UnknownHostException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c
        && prefixLength == c.prefixLength
        && java.util.Arrays.equals(address, c.address);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(address) + prefixLength;
  }

  @Override
  public String toString() {
    return (isIpv4() ? ipv4() : ipv6()) + "/" + prefixLength;
  }

  private String ipv4() {
    return (address[0] & 0xff)
        + "."
        + (address[1] & 0xff)
        + "."
        + (address[2] & 0xff)
        + "."
        + (address[3] & 0xff);
  }

  /** RFC 5952: lower case, no leading zeros, the longest run (2+) of zero groups as "::". */
  private String ipv6() {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
