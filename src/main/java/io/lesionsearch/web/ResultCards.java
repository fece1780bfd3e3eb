package io.lesionsearch.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.Diagnosis;
import io.lesionsearch.payload.LesionPayload;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The query job's reply as the page shows it: one card per hit, best first, with a readable
 * diagnosis and the thumbnail as a data URL; for a reply grouped by lesion, one card per lesion
 * showing its best photo, with its other photos as {@code other_photos}; or, for an error reply, a
 * {@link WebError} whose message tells the clinician what happened and what to do.
 */
public final class ResultCards {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");

  private ResultCards() {}

  public static ObjectNode fromReply(JsonNode reply) throws WebError {
    if (reply == null || !reply.isObject()) {
      throw new WebError(
          502, "BAD_REPLY", "The search service sent a reply this page cannot read.");
    }
    if (!"ok".equals(reply.path("status").asText())) {
      throw errorOf(reply.path("error"));
    }
    ObjectNode page = JSON.createObjectNode();
    if (reply.has("took_ms")) {
      page.put("took_ms", reply.get("took_ms").asLong());
    }
    ArrayNode cards = page.putArray("cards");
    if (reply.has("groups")) {
      page.put("grouped", true);
      for (JsonNode group : lesionsBestFirst(reply.get("groups"))) {
        List<JsonNode> photos = byScore(group.path("hits"));
        ObjectNode card = card(photos.get(0));
        card.put("lesion_id", group.path("id").asText());
        ArrayNode others = card.putArray("other_photos");
        for (JsonNode other : photos.subList(1, photos.size())) {
          ObjectNode o = card(other);
          others
              .addObject()
              .put("image_id", o.path("image_id").asText(null))
              .put("score", o.path("score").asDouble())
              .set("thumbnail", o.get("thumbnail"));
        }
        cards.add(card);
      }
      return page;
    }
    for (JsonNode hit : byScore(reply.path("hits"))) {
      cards.add(card(hit));
    }
    return page;
  }

  // The job replies in score order already; sorting again keeps the page right whatever answers.
  private static List<JsonNode> byScore(JsonNode hits) {
    List<JsonNode> out = new ArrayList<>();
    hits.forEach(out::add);
    out.sort(Comparator.comparingDouble((JsonNode h) -> h.path("score").asDouble()).reversed());
    return out;
  }

  /** Groups with at least one hit, by their best hit's score. */
  private static List<JsonNode> lesionsBestFirst(JsonNode groups) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode g : groups) {
      if (g.path("hits").size() > 0) {
        out.add(g);
      }
    }
    out.sort(
        Comparator.comparingDouble(
                (JsonNode g) -> byScore(g.get("hits")).get(0).path("score").asDouble())
            .reversed());
    return out;
  }

  private static ObjectNode card(JsonNode hit) {
    JsonNode payload = hit.path("payload");
    ObjectNode card = JSON.createObjectNode();
    card.put(
        "image_id",
        hit.path("image_id").isTextual()
            ? hit.get("image_id").asText()
            : payload.path(LesionPayload.IMAGE_ID).asText(null));
    card.put("score", hit.path("score").asDouble());
    String dx =
        payload.path(LesionPayload.DX).isTextual() ? payload.get(LesionPayload.DX).asText() : null;
    card.put("dx", dx);
    card.put("dx_label", Diagnosis.labelOf(dx));
    copyText(payload, card, LesionPayload.LESION_ID);
    copyText(payload, card, LesionPayload.DX_TYPE);
    copyText(payload, card, LesionPayload.LOCALIZATION);
    copyText(payload, card, LesionPayload.SEX);
    if (payload.path(LesionPayload.AGE).isNumber()) {
      card.put("age", payload.get(LesionPayload.AGE).asInt());
    } else {
      card.putNull("age");
    }
    String thumbnail = payload.path(LesionPayload.THUMBNAIL).asText("");
    // Only base64 goes into the data URL: a payload is data from the feed, not trusted markup.
    if (!thumbnail.isEmpty() && BASE64.matcher(thumbnail).matches()) {
      card.put("thumbnail", "data:image/jpeg;base64," + thumbnail);
    } else {
      card.putNull("thumbnail");
    }
    return card;
  }

  private static void copyText(JsonNode from, ObjectNode to, String key) {
    if (from.path(key).isTextual()) {
      to.put(key, from.get(key).asText());
    } else {
      to.putNull(key);
    }
  }

  private static WebError errorOf(JsonNode error) {
    String code = error.path("code").asText("UNKNOWN");
    String message = sentence(error.path("message").asText(""));
    return switch (code) {
      case "IMAGE_UNREADABLE" ->
          new WebError(
              422,
              code,
              "This file could not be read as an image ("
                  + message.replaceAll("\\.$", "")
                  + "). Upload a JPEG or PNG photo of the lesion.");
      case "UNKNOWN_IMAGE_ID" ->
          new WebError(
              404, code, message + " Check the image_id, or search with an uploaded image.");
      // The job sheds load with OVERLOADED and asks to be retried: nothing is wrong, so the page
      // says wait.
      case "OVERLOADED" ->
          new WebError(
              503,
              code,
              "The search service is busy with other searches just now. Try again in a few seconds.");
      case "TIMEOUT", "QDRANT_UNAVAILABLE", "COLLECTION_NOT_FOUND" ->
          new WebError(
              503,
              code,
              "The search service could not search just now: "
                  + message
                  + " Try again shortly; if it keeps"
                  + " happening, ask the administrator to check the query job and Qdrant.");
      default ->
          new WebError(
              502, code, "The search service refused the search (" + code + "): " + message);
    };
  }

  /** The job's messages are lower-case fragments; the page shows sentences. */
  private static String sentence(String message) {
    if (message.isBlank()) {
      return "no details given.";
    }
    String s = message.substring(0, 1).toUpperCase(Locale.ROOT) + message.substring(1);
    return s.endsWith(".") ? s : s + ".";
  }
}
