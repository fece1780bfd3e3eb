package io.lesionsearch.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.Diagnosis;
import io.lesionsearch.query.SearchClient;
import io.lesionsearch.testing.Flink;
import io.lesionsearch.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The page in headless Chromium against a whole deployment: images indexed by the real ingest job,
 * searches answered by the real query job over Kafka. What the cards show is checked against what
 * was indexed, so a filter the page or the job got wrong shows up as a wrong set of cards.
 */
class WebPageBrowserITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  @RegisterExtension static final WebDeployment DEPLOYMENT = new WebDeployment();

  private static final long MAX_UPLOAD = 256 * 1024;
  private static final String SAMPLE = WebDeployment.imageId("lesion-rgb.png");

  @RegisterExtension
  static final PageInBrowser PAGE =
      new PageInBrowser(
          () ->
              WebServer.start(
                  DEPLOYMENT.client()::search,
                  WebConfigs.of(
                      "127.0.0.1", 0, MAX_UPLOAD, 1000, Duration.ofSeconds(20), List.of(SAMPLE))));

  @TempDir static Path tmp;

  @Test
  void uploadFilterAndMoreLikeThisShowTheRightCasesInScoreOrder() throws Exception {
    PAGE.open();
    PAGE.browser()
        .findElement(By.id("image-file"))
        .sendKeys(TestData.image("lesion-600x450.jpg").toString());
    setNumber("limit", "40");
    new Select(PAGE.browser().findElement(By.id("sex"))).selectByValue("female");
    setNumber("age-min", "20");
    setNumber("age-max", "80");
    PAGE.browser().findElement(By.cssSelector("input[name=dx_exclude][value='melanoma']")).click();
    PAGE.browser()
        .findElement(By.cssSelector("input[name=localization_exclude][value='face']"))
        .click();
    Predicate<ObjectNode> filter =
        m ->
            m.path("sex").asText().equals("female")
                && !m.path("localization").asText().equals("face")
                && !m.path("dx").asText().equals("melanoma")
                && m.has("age")
                && m.get("age").asInt() >= 20
                && m.get("age").asInt() <= 80;

    List<Card> cards = search(1);
    assertEquals(
        expected(filter, null), ids(cards), "every indexed case the filter admits, and no other");
    assertScoreOrder(cards);
    for (Card c : cards) {
      assertTrue(
          filter.test(DEPLOYMENT.indexed().get(c.imageId)), c.imageId + " breaks the filter");
      assertEquals(Diagnosis.labelOf(c.dx), c.label, "readable diagnosis");
      assertFalse(c.label.contains("_"), c.label);
      if (!c.imageId.equals(WebDeployment.NO_THUMBNAIL_ID)) {
        assertEquals(
            128,
            Math.max(c.thumbnailWidth, c.thumbnailHeight),
            c.imageId + ": the ingest job's 128 px thumbnail");
      }
    }
    screenshot("web-page.png");

    String chosen = cards.get(0).imageId;
    PAGE.browser()
        .findElements(By.cssSelector("#results .card"))
        .get(0)
        .findElement(By.cssSelector(".more-like-this"))
        .click();
    List<Card> similar = cards(2);
    assertEquals(chosen, PAGE.browser().findElement(By.id("image-id")).getAttribute("value"));
    assertEquals(
        expected(filter, chosen),
        ids(similar),
        "the same filters, by the chosen image, without itself");
    assertScoreOrder(similar);
    screenshot("web-page-more-like-this.png");
  }

  @Test
  void anIndexedSampleSearchesWithOneClick() {
    PAGE.open();
    setNumber("limit", "40");
    List<WebElement> samples = PAGE.browser().findElements(By.cssSelector("#samples .sample"));
    assertEquals(List.of(SAMPLE), samples.stream().map(WebElement::getText).toList());
    samples.get(0).click();
    List<Card> cards = cards(1);
    assertEquals(SAMPLE, PAGE.browser().findElement(By.id("image-id")).getAttribute("value"));
    assertEquals(expected(m -> true, SAMPLE), ids(cards), "every other indexed case");
    assertScoreOrder(cards);
  }

  @Test
  void cardsWithoutAStoredThumbnailShowThePlaceholder() {
    PAGE.open();
    PAGE.browser().findElement(By.id("image-id")).sendKeys(WebDeployment.imageId("lesion-444.jpg"));
    setNumber("limit", "40");
    // A card per photo, so the photo without a thumbnail has a card of its own.
    PAGE.browser().findElement(By.id("every-photo")).click();
    List<Card> cards = search(1);
    assertEquals(expected(m -> true, WebDeployment.imageId("lesion-444.jpg")), ids(cards));
    for (Card c : cards) {
      assertEquals(c.imageId.equals(WebDeployment.NO_THUMBNAIL_ID), c.placeholder, c.imageId);
    }
  }

  @Test
  void unreadableOversizedUnknownAndEmptySearchesGetClearMessages() throws Exception {
    PAGE.open();
    Path text = Files.writeString(tmp.resolve("notes.jpg"), "not a photo, just notes");
    PAGE.browser().findElement(By.id("image-file")).sendKeys(text.toString());
    assertError(1, "This file could not be read as an image");

    byte[] big = TestData.imageBytes("lesion-600x450.jpg");
    Path oversized = tmp.resolve("huge.jpg");
    Files.write(oversized, java.util.Arrays.copyOf(big, (int) MAX_UPLOAD + 1));
    PAGE.browser().findElement(By.id("image-file")).sendKeys(oversized.toString());
    assertError(2, "The image is too large");
    assertTrue(message().contains("the limit is 0.3 MB"), message());

    PAGE.browser().findElement(By.id("image-id")).sendKeys("ISIC_does_not_exist");
    assertError(3, "No indexed image has image_id \"ISIC_does_not_exist\"");

    clearAndType("image-id", WebDeployment.imageId("lesion-444.jpg"));
    setNumber("age-min", "140");
    List<Card> none = search(4);
    assertTrue(none.isEmpty());
    assertTrue(
        PAGE.browser().findElement(By.id("status")).getText().startsWith("No indexed case matches"),
        PAGE.browser().findElement(By.id("status")).getText());
    assertFalse(
        PAGE.browser().findElement(By.id("message")).isDisplayed(), "no results is not an error");
  }

  @Test
  void aBackendThatDoesNotAnswerAndTooManySearchesGetClearMessages() throws Exception {
    // Real topics that no query job reads: the gateway publishes and waits in vain.
    DEPLOYMENT.kafka().createTopic("idle-requests", 1);
    DEPLOYMENT.kafka().createTopic("idle-replies", 1);
    try (SearchClient idle =
            new SearchClient(
                DEPLOYMENT.kafka().bootstrapServers(), "idle-requests", "idle-replies", Map.of());
        WebServer unanswered =
            WebServer.start(
                idle::search,
                WebConfigs.of("127.0.0.1", 0, MAX_UPLOAD, 1, Duration.ofSeconds(1)))) {
      PAGE.open(unanswered);
      PAGE.browser()
          .findElement(By.id("image-id"))
          .sendKeys(WebDeployment.imageId("lesion-444.jpg"));
      assertError(1, "The search service did not answer within 1 s");
      assertError(2, "Too many searches from this computer (at most 1 a minute)");
    }
  }

  // --- page helpers

  /**
   * @param lesionId the lesion of a card grouped by lesion; empty on a card per photo
   * @param others the image_ids of the lesion's other photos in the card's strip
   */
  private record Card(
      String imageId,
      double score,
      String dx,
      String label,
      boolean placeholder,
      long thumbnailWidth,
      long thumbnailHeight,
      String lesionId,
      List<String> others) {}

  @Test
  void oneCardPerLesionWithItsOtherPhotosUnlessEveryPhotoIsShown() throws Exception {
    PAGE.open();
    PAGE.browser()
        .findElement(By.id("image-file"))
        .sendKeys(TestData.image("lesion-600x450.jpg").toString());
    setNumber("limit", "40");
    List<Card> cards = search(1);
    Set<String> lesions = new TreeSet<>();
    DEPLOYMENT.indexed().values().forEach(m -> lesions.add(m.get("lesion_id").asText()));
    assertEquals(lesions.size(), cards.size(), "one card per lesion");
    assertEquals(DEPLOYMENT.indexed().keySet(), ids(cards), "every photo, on its lesion's card");
    assertScoreOrder(cards);
    int strips = 0;
    for (Card c : cards) {
      assertEquals(lesionOf(c.imageId), c.lesionId, c.imageId);
      long photos =
          DEPLOYMENT.indexed().values().stream()
              .filter(m -> m.get("lesion_id").asText().equals(c.lesionId))
              .count();
      assertEquals(photos - 1, c.others.size(), "the other photos of " + c.lesionId);
      for (String other : c.others) {
        assertEquals(c.lesionId, lesionOf(other), other + " on the card of " + c.lesionId);
      }
      strips += c.others.isEmpty() ? 0 : 1;
    }
    assertTrue(strips > 0, "the indexed lesions have several photos each");
    screenshot("web-page-lesions.png");

    PAGE.browser().findElement(By.id("every-photo")).click();
    List<Card> every = search(2);
    assertEquals(DEPLOYMENT.indexed().size(), every.size(), "one card per photo");
    assertEquals(DEPLOYMENT.indexed().keySet(), ids(every));
    assertTrue(every.stream().allMatch(c -> c.others.isEmpty()), "no strips");
    assertScoreOrder(every);
  }

  /** Submits the form and returns the cards of search number {@code n} of this page load. */
  private static List<Card> search(int n) {
    PAGE.browser().findElement(By.id("search-button")).click();
    return cards(n);
  }

  /** The cards once search number {@code n} of this page load has finished. */
  private static List<Card> cards(int n) {
    PAGE.waitUntil(() -> currentSearches() == n, "search " + n + " to finish");
    assertEquals(
        "ok", PAGE.browser().findElement(By.id("results")).getAttribute("data-outcome"), message());
    PAGE.waitUntil(
        () ->
            (Boolean)
                PAGE.browser()
                    .executeScript(
                        "return [...document.querySelectorAll('#results img')].every(i => i.complete)"),
        "the thumbnails to load");
    List<Card> cards = new ArrayList<>();
    for (WebElement card : PAGE.browser().findElements(By.cssSelector("#results .card"))) {
      WebElement img = card.findElement(By.cssSelector(".thumbnail"));
      cards.add(
          new Card(
              card.getAttribute("data-image-id"),
              Double.parseDouble(card.getAttribute("data-score")),
              card.getAttribute("data-dx"),
              card.findElement(By.cssSelector(".dx-label")).getText(),
              img.getAttribute("class").contains("placeholder"),
              (Long) PAGE.browser().executeScript("return arguments[0].naturalWidth", img),
              (Long) PAGE.browser().executeScript("return arguments[0].naturalHeight", img),
              card.getAttribute("data-lesion-id"),
              card.findElements(By.cssSelector(".other-photos .other-photo")).stream()
                  .map(o -> o.getAttribute("data-image-id"))
                  .toList()));
    }
    return cards;
  }

  private static int currentSearches() {
    String s = PAGE.browser().findElement(By.id("results")).getAttribute("data-searches");
    return s == null ? 0 : Integer.parseInt(s);
  }

  private static void assertError(int n, String expectedStart) {
    PAGE.browser().findElement(By.id("search-button")).click();
    PAGE.waitUntil(() -> currentSearches() == n, "search " + n + " to finish");
    assertEquals(
        "error", PAGE.browser().findElement(By.id("results")).getAttribute("data-outcome"));
    assertTrue(PAGE.browser().findElement(By.id("message")).isDisplayed());
    assertTrue(message().startsWith(expectedStart), message());
    assertTrue(PAGE.browser().findElements(By.cssSelector("#results .card")).isEmpty());
  }

  private static String message() {
    return PAGE.browser().findElement(By.id("message")).getText();
  }

  private static void setNumber(String id, String value) {
    clearAndType(id, value);
  }

  private static void clearAndType(String id, String value) {
    WebElement input = PAGE.browser().findElement(By.id(id));
    input.clear();
    input.sendKeys(value);
  }

  private static Set<String> expected(Predicate<ObjectNode> filter, String except) {
    Set<String> ids = new TreeSet<>();
    DEPLOYMENT
        .indexed()
        .forEach(
            (id, meta) -> {
              if (filter.test(meta) && !id.equals(except)) {
                ids.add(id);
              }
            });
    return ids;
  }

  /** Every photo the cards show, on a card or in its strip of other photos of the lesion. */
  private static Set<String> ids(List<Card> cards) {
    Set<String> ids = new TreeSet<>();
    int shown = 0;
    for (Card c : cards) {
      ids.add(c.imageId);
      ids.addAll(c.others);
      shown += 1 + c.others.size();
    }
    assertEquals(shown, ids.size(), "no photo shown twice");
    return ids;
  }

  private static String lesionOf(String imageId) {
    return DEPLOYMENT.indexed().get(imageId).get("lesion_id").asText();
  }

  private static void assertScoreOrder(List<Card> cards) {
    assertFalse(cards.isEmpty());
    for (int i = 1; i < cards.size(); i++) {
      assertTrue(
          cards.get(i - 1).score >= cards.get(i).score,
          "card " + i + " scores above the one before it");
    }
  }

  private static void screenshot(String name) throws Exception {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    PAGE.browser().executeScript("window.scrollTo(0, 0)");
    Files.write(dir.resolve(name), PAGE.browser().getScreenshotAs(OutputType.BYTES));
  }
}
