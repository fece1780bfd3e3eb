package io.lesionsearch.web;

import static io.lesionsearch.web.GatewayHttp.errorCode;
import static io.lesionsearch.web.GatewayHttp.form;
import static io.lesionsearch.web.GatewayHttp.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.query.SearchClientFailedException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's bounds on the real Javalin server, with a backend the test answers by hand:
 * searches at once, upload bytes held at once, and refusals that do not read the refused body.
 */
class WebGatewayLimitsTest {

  private static final long MAX_UPLOAD = 100_000;
  private final HeldBackend backend = new HeldBackend();
  private WebServer server;

  private WebServer start(int maxSearches, long uploadMemoryBytes) {
    server =
        WebServer.start(
            backend,
            WebConfigs.withLimits(
                WebConfigs.of("127.0.0.1", 0, MAX_UPLOAD, 10_000, Duration.ofSeconds(30)),
                maxSearches,
                uploadMemoryBytes));
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void aSearchOverTheConcurrencyLimitGets503AndEveryEndingGivesItsPermitBackOnce()
      throws Exception {
    start(1, 1_000_000);
    CompletableFuture<HttpResponse<String>> first = post(server, form("ISIC_1", null));
    HeldBackend.Held held = backend.next();
    assertBusy();
    held.answer();
    assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode(), first.get().body());
    // Each check below admits one search and refuses a second: a permit given back twice would
    // admit both.
    assertOneAtATime();

    CompletableFuture<HttpResponse<String>> failing = post(server, form("ISIC_1", null));
    backend
        .next()
        .reply()
        .completeExceptionally(new SearchClientFailedException("replies unreadable", null));
    assertEquals(502, failing.get(10, TimeUnit.SECONDS).statusCode());
    assertTrue(failing.get().body().contains("restart the page's server"), failing.get().body());
    assertOneAtATime();

    CompletableFuture<HttpResponse<String>> late = post(server, form("ISIC_1", null));
    backend.next().reply().completeExceptionally(new TimeoutException("no reply"));
    assertEquals(504, late.get(10, TimeUnit.SECONDS).statusCode());
    assertOneAtATime();

    HttpResponse<String> invalid = post(server, form(null, null)).get(10, TimeUnit.SECONDS);
    assertEquals(400, invalid.statusCode(), "refused before reaching the backend");
    assertOneAtATime();

    try (Socket gone = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      byte[] body = form("ISIC_1", null);
      GatewayHttp.send(
          gone,
          "POST /api/search HTTP/1.1\nHost: 127.0.0.1\nContent-Type: multipart/form-data; boundary="
              + GatewayHttp.BOUNDARY
              + "\nContent-Length: "
              + body.length
              + "\n",
          body);
      held = backend.next();
    } // the client leaves before the reply
    assertBusy();
    held.answer();
    assertOneAtATime();
  }

  @Test
  void uploadBytesHeldAtOnceAreBoundedAndABodyOfUnknownLengthCountsAsTheLargest() throws Exception {
    long oneUpload = form(null, new byte[90_000]).length;
    start(
        16,
        170_000); // room for one 90 kB upload, not two; one form of unknown length counts as 164 kB
    byte[] image = new byte[90_000];
    Arrays.fill(image, (byte) 7);
    CompletableFuture<HttpResponse<String>> big = post(server, form(null, image));
    HeldBackend.Held held = backend.next();
    assertArrayEquals(image, held.request().at("/query/image").binaryValue(), "the upload as sent");

    HttpResponse<String> second =
        post(server, form(null, new byte[90_000])).get(10, TimeUnit.SECONDS);
    assertEquals(
        503, second.statusCode(), "over the upload memory: " + oneUpload + " bytes held already");
    assertEquals("UPLOADS_BUSY", errorCode(second));
    assertEquals(
        WebServer.BUSY_RETRY_AFTER_SECONDS,
        second.headers().firstValue("Retry-After").orElse(null));

    CompletableFuture<HttpResponse<String>> byId = post(server, form("ISIC_2", null));
    HeldBackend.Held small = backend.next(); // a small body still fits beside the upload
    HttpResponse<String> chunked =
        GatewayHttp.postChunked(server, form("ISIC_3", null)).get(10, TimeUnit.SECONDS);
    assertEquals(
        503,
        chunked.statusCode(),
        "a body of unknown length may grow to the limit, and is counted so");
    assertEquals("UPLOADS_BUSY", errorCode(chunked));
    assertNull(backend.poll());

    held.answer();
    small.answer();
    assertEquals(200, big.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(200, byId.get(10, TimeUnit.SECONDS).statusCode());
    CompletableFuture<HttpResponse<String>> again =
        GatewayHttp.postChunked(server, form(null, image));
    backend.next().answer();
    assertEquals(
        200,
        again.get(10, TimeUnit.SECONDS).statusCode(),
        "admitted once the memory is given back");
  }

  @Test
  void anOversizedUploadIsAnswered413AtOnceWithoutTheServerReadingIt() throws Exception {
    start(16, 1_000_000);
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(5000);
            // 100 MB declared, 1 kB sent: a server that read the body first would wait here for the
            // rest.
            GatewayHttp.send(
                socket,
                "POST /api/search HTTP/1.1\nHost: 127.0.0.1\nContent-Type: multipart/form-data; boundary="
                    + GatewayHttp.BOUNDARY
                    + "\nContent-Length: 100000000\n",
                new byte[1024]);
            GatewayHttp.Raw answer = GatewayHttp.read(socket);
            assertEquals(413, answer.status(), answer.body());
            assertEquals("UPLOAD_TOO_LARGE", answer.errorCode());
            assertTrue(
                answer
                    .json()
                    .at("/error/message")
                    .asText()
                    .startsWith("The image is too large: 95.4 MB"),
                answer.body());
            assertEquals("close", answer.headers().get("connection"));
            assertTrue(
                answer.closed(), "the server closed the connection instead of reading the upload");
            assertThrows(
                IOException.class,
                () -> {
                  OutputStream out = socket.getOutputStream();
                  byte[] chunk = new byte[64 * 1024];
                  for (int i = 0; i < 1600; i++) { // the rest of the declared 100 MB
                    out.write(chunk);
                  }
                },
                "nobody reads the rest of the upload");
          }
        });
    assertNull(backend.poll());
    assertOneAtATimeAllowed();
  }

  @Test
  void anOversizedUploadOfUnknownLengthIsStillAnswered413() throws Exception {
    start(16, 1_000_000);
    HttpResponse<String> answer =
        GatewayHttp.postChunked(server, form(null, new byte[(int) MAX_UPLOAD + 1]))
            .get(10, TimeUnit.SECONDS);
    assertEquals(413, answer.statusCode(), answer.body());
    assertEquals("UPLOAD_TOO_LARGE", errorCode(answer));
    assertNull(backend.poll());
  }

  @Test
  void aQueryJobThatSaysOverloadedIsAnswered503WithRetryAfter() throws Exception {
    start(16, 1_000_000);
    CompletableFuture<HttpResponse<String>> search = post(server, form("ISIC_1", null));
    backend
        .next()
        .reply()
        .complete(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(
                    "{\"request_id\": \"r\", \"status\": \"error\", \"error\": {\"code\": \"OVERLOADED\", \"message\": \"busy\"}}"));
    HttpResponse<String> answer = search.get(10, TimeUnit.SECONDS);
    assertEquals(503, answer.statusCode());
    assertEquals("OVERLOADED", errorCode(answer));
    assertEquals(
        WebServer.BUSY_RETRY_AFTER_SECONDS,
        answer.headers().firstValue("Retry-After").orElse(null));
  }

  @Test
  void limitsThatCouldNeverAdmitALargestUploadAreRefusedAtStart() {
    WebConfig config = WebConfigs.of("127.0.0.1", 0, MAX_UPLOAD, 60, Duration.ofSeconds(10));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                WebConfigs.withLimits(config, 16, MAX_UPLOAD + WebConfig.FORM_OVERHEAD_BYTES - 1));
    assertTrue(
        e.getMessage()
            .startsWith("--upload-memory-bytes must be at least --max-upload-bytes + 65536"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> WebConfigs.withLimits(config, 0, 1_000_000));
    assertEquals(16, config.maxConcurrentSearches());
  }

  /** With one search held, another is refused 503; then the held one is answered. */
  private void assertOneAtATime() throws Exception {
    CompletableFuture<HttpResponse<String>> one = post(server, form("ISIC_1", null));
    HeldBackend.Held held = backend.next();
    assertBusy();
    held.answer();
    assertEquals(200, one.get(10, TimeUnit.SECONDS).statusCode());
  }

  private void assertOneAtATimeAllowed() throws Exception {
    CompletableFuture<HttpResponse<String>> one = post(server, form("ISIC_1", null));
    backend.next().answer();
    assertEquals(200, one.get(10, TimeUnit.SECONDS).statusCode());
  }

  private void assertBusy() throws Exception {
    HttpResponse<String> refused = post(server, form("ISIC_2", null)).get(10, TimeUnit.SECONDS);
    assertEquals(503, refused.statusCode(), refused.body());
    assertEquals("SEARCH_BUSY", errorCode(refused));
    assertTrue(refused.body().contains("at most 1 at once"), refused.body());
    assertEquals(
        WebServer.BUSY_RETRY_AFTER_SECONDS,
        refused.headers().firstValue("Retry-After").orElse(null));
    assertNull(backend.poll(), "the refused search never reached the backend");
  }
}
