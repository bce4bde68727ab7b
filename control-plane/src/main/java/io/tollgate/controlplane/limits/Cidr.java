package io.tollgate.controlplane.limits;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
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
    // Guava reads address literals only: never a host name lookup.
    InetAddress parsed = InetAddresses.isInetAddress(host) ? InetAddresses.forString(host) : null;
    if (parsed instanceof Inet4Address && !host.contains(":")) {
      return parsed.getAddress();
    }
    // An IPv6 literal that is an IPv4-mapped address comes back as IPv4; scoped ones are no range.
    if (parsed instanceof Inet6Address && !host.contains("%")) {
      return parsed.getAddress();
    }
    if (IPV4.matcher(host).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a valid IPv4 address");
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

  /** IPv4 dotted, IPv6 as RFC 5952 prints it (lower case, longest zero run as "::"). */
  @Override
  public String toString() {
    try {
      return InetAddresses.toAddrString(InetAddress.getByAddress(address)) + "/" + prefixLength;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a Cidr holds 4 or 16 bytes", e);
    }
  }
}
