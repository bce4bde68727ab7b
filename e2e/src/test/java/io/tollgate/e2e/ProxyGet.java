package io.tollgate.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs through a proxy under load or while it restarts, where a failed request is a result. */
final class ProxyGet {

  private ProxyGet() {}

  /**
   * The status of {@code GET pathAndQuery} on 127.0.0.1:{@code port}; 0 when the request failed.
   */
  static int status(HttpClient http, int port, String pathAndQuery) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }
}
