package io.lesionsearch.web;

import static io.lesionsearch.web.GatewayHttp.errorCode;
import static io.lesionsearch.web.GatewayHttp.form;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who the page's searches are for, on the real Javalin server with a backend that records what it
 * is asked: the trusted proxy header's user, a fixed service name, or no one.
 */
class WebTrustedUserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final String HEADER = "X-Authenticated-User";

  private final List<ObjectNode> asked = new CopyOnWriteArrayList<>();
  private final SearchBackend backend =
      (request, timeout) -> {
        asked.add(request);
        return CompletableFuture.completedFuture(
            JSON.createObjectNode()
                .put("request_id", "r")
                .put("status", "ok")
                .put("took_ms", 1)
                .set("hits", JSON.createArrayNode()));
      };
  private WebServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private void start(String trustedUserHeader, String requestedBy) {
    server =
        WebServer.start(
            backend,
            WebConfigs.withRequester(
                WebConfigs.of("127.0.0.1", 0, 100_000, 10_000, Duration.ofSeconds(10)),
                trustedUserHeader,
                requestedBy));
  }

  @Test
  void theTrustedHeadersUserBecomesTheSearchsRequestedBy() throws Exception {
    start(HEADER, null);
    HttpResponse<String> ok = post(HEADER, "dr.k@clinic.example");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(1, asked.size());
    assertEquals("dr.k@clinic.example", asked.get(0).get("requested_by").asText());
    assertEquals("ISIC_1", asked.get(0).at("/query/image_id").asText(), "the search itself");
  }

  @Test
  void withoutExactlyOneValidUserTheSearchIsRefusedWith403AndNeverSent() throws Exception {
    start(HEADER, null);
    for (HttpResponse<String> refused :
        List.of(
            post(),
            post(HEADER, "dr.k", HEADER, "dr.m"),
            post(HEADER, "x".repeat(201)),
            post("X-Other-User", "dr.k"))) {
      assertEquals(403, refused.statusCode(), refused.body());
      assertEquals("USER_UNKNOWN", errorCode(refused));
      JsonNode body = JSON.readTree(refused.body());
      assertTrue(body.at("/error/message").asText().contains("sign in again"), refused.body());
      assertFalse(refused.body().contains("xxxxxxxx"), refused.body());
    }
    // A C1 control (byte 0x85, which HTTP allows as obs-text), sent raw: java.net.http refuses it.
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      byte[] body = form("ISIC_1", null);
      GatewayHttp.send(
          socket,
          "POST /api/search HTTP/1.1\nHost: 127.0.0.1:"
              + server.port()
              + "\nContent-Type: multipart/form-data; boundary="
              + GatewayHttp.BOUNDARY
              + "\nContent-Length: "
              + body.length
              + "\n"
              + HEADER
              + ": dr.k\u0085\n",
          body);
      GatewayHttp.Raw raw = GatewayHttp.read(socket);
      assertEquals(403, raw.status(), raw.body());
      assertEquals("USER_UNKNOWN", raw.errorCode());
    }
    assertTrue(asked.isEmpty(), "no refused search reached the query job: " + asked);
  }

  @Test
  void withoutATrustedHeaderTheFixedServiceNameIsUsedAndAClientsHeaderIsIgnored() throws Exception {
    start(null, "svc:clinic-page");
    assertEquals(200, post(HEADER, "mallory").statusCode());
    assertEquals("svc:clinic-page", asked.get(0).get("requested_by").asText());
  }

  @Test
  void withNeitherTheSearchNamesNoOne() throws Exception {
    start(null, null);
    assertEquals(200, post(HEADER, "mallory").statusCode());
    assertFalse(asked.get(0).has("requested_by"), asked.get(0).toString());
  }

  /** An image_id search with the given header name/value pairs. */
  private HttpResponse<String> post(String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/search"))
            .header("Content-Type", "multipart/form-data; boundary=" + GatewayHttp.BOUNDARY)
            .POST(HttpRequest.BodyPublishers.ofByteArray(form("ISIC_1", null)));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
