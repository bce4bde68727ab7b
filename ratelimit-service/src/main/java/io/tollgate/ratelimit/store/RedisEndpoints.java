package io.tollgate.ratelimit.store;

import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.StaticCredentialsProvider;
import io.tollgate.ratelimit.settings.Settings;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code REDIS_URL} in the reference's forms: {@code host:port} (SINGLE), {@code
 * host:port,host:port,...} (CLUSTER seeds) or {@code master-name,sentinel:port,...} (SENTINEL);
 * {@code redis://} and {@code rediss://} URLs are accepted too. {@code REDIS_AUTH} is {@code
 * password} or {@code user:password}.
 */
final class RedisEndpoints {

  private RedisEndpoints() {}

  static List<RedisURI> parse(Settings.Redis s) {
    String[] parts = s.url().split(",");
    List<RedisURI> out = new ArrayList<>();
    switch (s.type()) {
      case SINGLE -> out.add(node(parts[0].trim(), s));
      case CLUSTER -> {
        for (String p : parts) {
          out.add(node(p.trim(), s));
        }
      }
      case SENTINEL -> {
        if (parts.length < 2) {
          throw new IllegalArgumentException(
              "REDIS_URL for REDIS_TYPE=SENTINEL must be master-name,host:port[,host:port...]");
        }
        RedisURI.Builder b = null;
        for (int i = 1; i < parts.length; i++) {
          HostPort hp = hostPort(parts[i].trim());
          if (b == null) {
            b = RedisURI.Builder.sentinel(hp.host(), hp.port(), parts[0].trim());
          } else {
            b.withSentinel(hp.host(), hp.port());
          }
        }
        RedisURI uri = b.build();
        secure(uri, s);
        if (!s.sentinelAuth().isEmpty()) {
          uri.getSentinels().forEach(sentinel -> credentials(sentinel, s.sentinelAuth()));
        }
        out.add(uri);
      }
      default -> throw new IllegalArgumentException("unknown REDIS_TYPE " + s.type());
    }
    return out;
  }

  private static RedisURI node(String address, Settings.Redis s) {
    RedisURI uri;
    if (address.startsWith("redis://") || address.startsWith("rediss://")) {
      uri = RedisURI.create(address);
    } else {
      HostPort hp = hostPort(address);
      uri = RedisURI.create(hp.host(), hp.port());
    }
    secure(uri, s);
    return uri;
  }

  private static void secure(RedisURI uri, Settings.Redis s) {
    if (!s.auth().isEmpty()) {
      credentials(uri, s.auth());
    }
    if (s.tls()) {
      uri.setSsl(true);
      uri.setVerifyPeer(s.tlsSkipHostnameVerification() ? SslVerifyMode.CA : SslVerifyMode.FULL);
    }
    uri.setTimeout(s.timeout());
  }

  private static void credentials(RedisURI uri, String auth) {
    int colon = auth.indexOf(':');
    String user = colon > 0 ? auth.substring(0, colon) : null;
    String password = colon > 0 ? auth.substring(colon + 1) : auth;
    uri.setCredentialsProvider(new StaticCredentialsProvider(user, password.toCharArray()));
  }

  private static HostPort hostPort(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("REDIS_URL entry '" + address + "' is not host:port");
    }
    try {
      return new HostPort(
          address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("REDIS_URL entry '" + address + "' has no valid port", e);
    }
  }

  private record HostPort(String host, int port) {}
}
