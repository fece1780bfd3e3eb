package io.lesionsearch.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Replies of the query job's format to the page's cards and messages. */
class ResultCardsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void hitsBecomeCardsBestFirstWithReadableDiagnosesAndSafeThumbnails() throws Exception {
    JsonNode reply =
        JSON.readTree(
            """
        {"request_id": "r1", "status": "ok", "took_ms": 12, "hits": [
          {"id": "u1", "image_id": "A", "score": 0.7, "payload": {"dx": "basal_cell_carcinoma", "sex": "male", "age": 61,
             "localization": "back", "thumbnail": "/9j/4AAQ"}},
          {"id": "u2", "image_id": "B", "score": 0.9, "payload": {"dx": "vasc", "sex": "female"}},
          {"id": "u3", "image_id": "C", "score": 0.8, "payload": {"dx": "df", "thumbnail": "\\"><script>"}}]}
        """);
    JsonNode cards = ResultCards.fromReply(reply).get("cards");
    assertEquals(3, cards.size());
    assertEquals("B", cards.get(0).get("image_id").asText(), "best first");
    assertEquals("C", cards.get(1).get("image_id").asText());
    assertEquals("Vascular lesion", cards.get(0).get("dx_label").asText());
    assertEquals("Basal cell carcinoma", cards.get(2).get("dx_label").asText());
    assertEquals("data:image/jpeg;base64,/9j/4AAQ", cards.get(2).get("thumbnail").asText());
    assertTrue(
        cards.get(0).get("thumbnail").isNull(),
        "no thumbnail stored: the page shows its placeholder");
    assertTrue(cards.get(1).get("thumbnail").isNull(), "anything but base64 is dropped");
    assertTrue(cards.get(0).get("age").isNull());
    assertEquals(61, cards.get(2).get("age").asInt());
  }

  @Test
  void groupsBecomeOneCardPerLesionWithItsOtherPhotos() throws Exception {
    JsonNode reply =
        JSON.readTree(
            """
        {"request_id": "r2", "status": "ok", "took_ms": 5, "groups": [
          {"id": "HAM_2", "hits": [
            {"id": "u4", "image_id": "D", "score": 0.6, "payload": {"dx": "mel", "lesion_id": "HAM_2"}}]},
          {"id": "HAM_1", "hits": [
            {"id": "u2", "image_id": "B", "score": 0.8, "payload": {"dx": "nv", "thumbnail": "QUJD"}},
            {"id": "u1", "image_id": "A", "score": 0.9, "payload": {"dx": "nv", "thumbnail": "/9j/"}},
            {"id": "u3", "image_id": "C", "score": 0.7, "payload": {"dx": "nv", "thumbnail": "<b>"}}]},
          {"id": 7, "hits": []}]}
        """);
    JsonNode page = ResultCards.fromReply(reply);
    assertTrue(page.get("grouped").asBoolean());
    JsonNode cards = page.get("cards");
    assertEquals(2, cards.size(), "a group without hits shows no card");
    JsonNode first = cards.get(0);
    assertEquals("HAM_1", first.get("lesion_id").asText(), "lesions by their best photo");
    assertEquals("A", first.get("image_id").asText(), "the card shows the best photo");
    JsonNode others = first.get("other_photos");
    assertEquals(2, others.size());
    assertEquals("B", others.get(0).get("image_id").asText());
    assertEquals("data:image/jpeg;base64,QUJD", others.get(0).get("thumbnail").asText());
    assertEquals("C", others.get(1).get("image_id").asText());
    assertTrue(others.get(1).get("thumbnail").isNull(), "anything but base64 is dropped");
    assertEquals(0, cards.get(1).get("other_photos").size());
    assertEquals("HAM_2", cards.get(1).get("lesion_id").asText());
  }

  @Test
  void errorRepliesBecomeMessagesForTheClinician() throws Exception {
    WebError unreadable =
        error(
            "IMAGE_UNREADABLE",
            "NOT_AN_IMAGE: not an image: the data starts with no known image signature");
    assertEquals(422, unreadable.status());
    assertTrue(
        unreadable
            .getMessage()
            .startsWith("This file could not be read as an image (NOT_AN_IMAGE: not an image"),
        unreadable.getMessage());
    assertTrue(
        unreadable.getMessage().endsWith("Upload a JPEG or PNG photo of the lesion."),
        unreadable.getMessage());
    WebError unknown = error("UNKNOWN_IMAGE_ID", "no indexed image has image_id \"X\"");
    assertEquals(404, unknown.status());
    assertTrue(
        unknown.getMessage().startsWith("No indexed image has image_id \"X\". Check the image_id"),
        unknown.getMessage());
    assertEquals(503, error("QDRANT_UNAVAILABLE", "qdrant down").status());
    WebError busy = error("OVERLOADED", "1000 requests in flight");
    assertEquals(503, busy.status());
    assertEquals("OVERLOADED", busy.code());
    assertEquals(
        "The search service is busy with other searches just now. Try again in a few seconds.",
        busy.getMessage());
    assertEquals(502, error("INTERNAL", "bug").status());
  }

  private static WebError error(String code, String message) throws Exception {
    JsonNode reply =
        JSON.createObjectNode()
            .put("request_id", "r")
            .put("status", "error")
            .set("error", JSON.createObjectNode().put("code", code).put("message", message));
    return assertThrows(WebError.class, () -> ResultCards.fromReply(reply));
  }
}
