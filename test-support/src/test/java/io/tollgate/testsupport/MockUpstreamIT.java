package io.tollgate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MockUpstreamIT {

  @TempDir static Path dir;
  static TestCa ca;
  static MockUpstream mock;

  @BeforeAll
  static void start() {
    ca = TestCa.create(dir, "mock");
    mock = MockUpstream.start(ca.issueServerCertificate("mock"));
  }

  @AfterAll
  static void stop() {
    mock.close();
  }

  @Test
  void servesFixturesAsJsonOverHttp() throws Exception {
    HttpResponse<String> r =
        get(HttpClient.newHttpClient(), mock.httpUrl() + "/categories/MLA97994");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json;charset=UTF-8");
    assertThat(r.body()).startsWith("{\"id\":\"MLA97994\"").contains("\"path_from_root\"");
  }

  @Test
  void unknownPathIsMercadoLibresNotFoundJson() throws Exception {
    HttpResponse<String> r = get(HttpClient.newHttpClient(), mock.httpUrl() + "/items/MLA0");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body().trim())
        .isEqualTo(
            "{\"message\":\"resource not found\",\"error\":\"not_found\",\"status\":404,\"cause\":[]}");
  }

  @Test
  void echoesMethodAndQueryAndServesErrors() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> echo =
        client.send(
            HttpRequest.newBuilder(URI.create(mock.httpUrl() + "/echo?q=a%20b&n=1"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(echo.body()).contains("\"method\":\"DELETE\"").contains("\"query\":\"q=a%20b&n=1\"");
    assertThat(get(client, mock.httpUrl() + "/error/503").statusCode()).isEqualTo(503);
    long start = System.nanoTime();
    assertThat(get(client, mock.httpUrl() + "/slow?seconds=0.3").body()).contains("0.3");
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
  }

  @Test
  void servesTlsWithTheTestCasCertificate() throws Exception {
    HttpResponse<String> r = get(trusting(ca.caFile()), mock.httpsUrl() + "/sites/MLA");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"default_currency_id\":\"ARS\"");
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpClient trusting(Path caFile) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      store.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).build();
  }
}
