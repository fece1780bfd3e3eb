package io.lesionsearch.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The gateway's refusals as headless Chromium meets them, with a backend the test answers by hand
 * (no deployment needed): the page's own searches pass the Host and Origin checks, an over-limit
 * upload is answered 413 although the server never reads it, and a busy server or query job says
 * so.
 */
class WebPageRefusalsBrowserITCase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_UPLOAD = 256 * 1024;
  private static final HeldBackend BACKEND = new HeldBackend();

  @RegisterExtension
  static final PageInBrowser PAGE =
      new PageInBrowser(
          () ->
              WebServer.start(
                  BACKEND,
                  WebConfigs.withLimits(
                      WebConfigs.of("127.0.0.1", 0, MAX_UPLOAD, 1000, Duration.ofSeconds(30)),
                      1,
                      4 * MAX_UPLOAD)));

  @TempDir static Path tmp;

  @Test
  void thePagesOwnSearchPassesTheHostAndOriginChecks() throws Exception {
    PAGE.open();
    PAGE.browser().findElement(By.id("image-id")).sendKeys("ISIC_1");
    PAGE.browser().findElement(By.id("search-button")).click();
    BACKEND.next().answer(); // Chromium sends Origin with every POST: the search got through
    PAGE.waitUntil(
        () ->
            "ok".equals(PAGE.browser().findElement(By.id("results")).getAttribute("data-outcome")),
        "the cards");
    assertEquals(1, PAGE.browser().findElements(By.cssSelector("#results .card")).size());
  }

  @Test
  void anOverLimitUploadThatTheServerDoesNotReadStillShowsThe413() throws Exception {
    PAGE.open();
    // Past the page's own size check, as another page or an old copy of this one would send it.
    Object answer =
        PAGE.browser()
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "const form = new FormData(); form.append('image', new Blob([new Uint8Array(8 * 1024 * 1024)]), 'big.jpg');"
                    + "fetch('/api/search', {method: 'POST', body: form})"
                    + ".then(r => r.text().then(t => done(r.status + ' ' + t))).catch(e => done('failed: ' + e));");
    String text = String.valueOf(answer);
    assertTrue(text.startsWith("413 "), text);
    assertEquals("UPLOAD_TOO_LARGE", JSON.readTree(text.substring(4)).at("/error/code").asText());
    assertNull(BACKEND.poll());
  }

  @Test
  void thePageRefusesAnOversizedFileWithoutSendingIt() throws Exception {
    PAGE.open();
    Path big = Files.write(tmp.resolve("huge.jpg"), new byte[(int) MAX_UPLOAD + 1]);
    PAGE.browser().findElement(By.id("image-file")).sendKeys(big.toString());
    PAGE.browser().findElement(By.id("search-button")).click();
    PAGE.waitUntil(
        () ->
            "error"
                .equals(PAGE.browser().findElement(By.id("results")).getAttribute("data-outcome")),
        "the refusal");
    assertEquals(
        "The image is too large: 0.3 MB, and the limit is 0.3 MB. Upload a smaller JPEG or PNG"
            + " (a photo exported at a lower resolution will do).",
        message());
    assertNull(BACKEND.poll(), "nothing was sent");
  }

  @Test
  void aBusyServerAndABusyQueryJobAskTheClinicianToTryAgain() throws Exception {
    PAGE.open();
    CompletableFuture<HttpResponse<String>> holding =
        GatewayHttp.post(PAGE.server(), GatewayHttp.form("ISIC_1", null));
    HeldBackend.Held held = BACKEND.next();
    PAGE.browser().findElement(By.id("image-id")).sendKeys("ISIC_2");
    PAGE.browser().findElement(By.id("search-button")).click();
    PAGE.waitUntil(
        () ->
            "error"
                .equals(PAGE.browser().findElement(By.id("results")).getAttribute("data-outcome")),
        "the refusal");
    assertTrue(
        message()
            .startsWith("The server is busy with other searches (at most 1 at once). Try again"),
        message());
    held.answer();
    assertEquals(200, holding.get(10, TimeUnit.SECONDS).statusCode());

    PAGE.browser().findElement(By.id("search-button")).click();
    HeldBackend.Held overloaded = BACKEND.next();
    overloaded
        .reply()
        .complete(
            JSON.readTree(
                "{\"request_id\": \"r\", \"status\": \"error\", \"error\": {\"code\": \"OVERLOADED\", \"message\": \"busy\"}}"));
    PAGE.waitUntil(
        () ->
            "2".equals(PAGE.browser().findElement(By.id("results")).getAttribute("data-searches")),
        "the answer");
    assertEquals(
        "The search service is busy with other searches just now. Try again in a few seconds.",
        message());
  }

  private static String message() {
    return PAGE.browser().findElement(By.id("message")).getText();
  }
}
