package io.tollgate.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A minimal HTTP/1.1 client whose connections come from a chosen local address, so a test can be
 * several client IPs on one machine (127.0.0.1, 127.0.0.2, ...: all of 127.0.0.0/8 is loopback on
 * Linux). {@code java.net.http.HttpClient} cannot bind its local address. One request per
 * connection ({@code Connection: close}); bodies are read by {@code Content-Length} or to the end.
 */
public final class SourceAddressHttp {

  private static final int MAX_RESPONSE_BYTES = 1 << 20;

  private final InetAddress source;
  private final Duration timeout;

  private SourceAddressHttp(InetAddress source, Duration timeout) {
    this.source = source;
    this.timeout = timeout;
  }

  /** A client connecting from {@code sourceIp}, e.g. {@code "127.0.0.2"}. */
  public static SourceAddressHttp from(String sourceIp) {
    try {
      return new SourceAddressHttp(InetAddress.getByName(sourceIp), Duration.ofSeconds(10));
    } catch (IOException e) {
      throw new IllegalArgumentException("not an IP address: " + sourceIp, e);
    }
  }

  /**
   * One response.
   *
   * @param headers lower-case names; a repeated header keeps its last value
   */
  public record Response(int status, Map<String, String> headers, String body) {

    public Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }
  }

  public Response get(String host, int port, String pathAndQuery) {
    return send("GET", host, port, pathAndQuery, Map.of());
  }

  /** Sends a request without a body and reads the whole response. */
  public Response send(
      String method, String host, int port, String pathAndQuery, Map<String, String> headers) {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      StringBuilder request =
          new StringBuilder()
              .append(method)
              .append(' ')
              .append(pathAndQuery)
              .append(" HTTP/1.1\r\nHost: ")
              .append(host)
              .append(':')
              .append(port)
              .append("\r\nConnection: close\r\n");
      if (!method.equals("GET") && !method.equals("HEAD")) {
        request.append("Content-Length: 0\r\n");
      }
      headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return read(socket.getInputStream(), method.equals("HEAD"));
    } catch (IOException e) {
      throw new UncheckedIOException(
          method + " " + pathAndQuery + " from " + source.getHostAddress() + " failed", e);
    }
  }

  private static Response read(InputStream in, boolean head) throws IOException {
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x status line: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new TreeMap<>();
    for (String line = line(in); !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    if (headers.containsKey("transfer-encoding")) {
      throw new IOException("chunked responses are not supported by this test client");
    }
    byte[] body;
    if (head || status == 204 || status == 304) {
      body = new byte[0];
    } else if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else {
      body = in.readNBytes(MAX_RESPONSE_BYTES);
    }
    return new Response(status, Map.copyOf(headers), new String(body, StandardCharsets.UTF_8));
  }

  /** One CRLF-terminated header line, without its terminator. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        break;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("connection closed before the response was complete");
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
