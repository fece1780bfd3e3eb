package io.lesionsearch.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.LesionImage;
import io.lesionsearch.qdrant.PointIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;

/**
 * The searches of Qdrant's skin-cancer tutorial, as requests to the query job, for one query image
 * of the dataset: what the local mode runs once everything is indexed.
 */
public final class TutorialSearches {

  /** One search to show: a title for people and the request for the query job. */
  public record Example(String title, ObjectNode request) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private TutorialSearches() {}

  /**
   * @param query the image to search with
   * @param others indexed images whose ids the has_id searches list (at least one)
   */
  public static List<Example> of(LesionImage query, List<LesionImage> others) {
    String image = base64(query);
    ArrayNode someIds = JSON.createArrayNode();
    others.stream()
        .limit(10)
        .forEach(i -> someIds.add(PointIds.forImageId(i.imageId()).toString()));

    ObjectNode femaleOlder = filter();
    femaleOlder.putArray("must").add(match("sex", "female"));
    femaleOlder.putArray("should").addObject().put("key", "age").putObject("range").put("gte", 55);

    ObjectNode inList = filter();
    inList.putArray("must").addObject().set("has_id", someIds);
    ObjectNode notInList = filter();
    notInList.putArray("must_not").addObject().set("has_id", someIds);

    ObjectNode notMelanomaNotFace = filter();
    notMelanomaNotFace
        .putArray("must")
        .addObject()
        .put("key", "dx")
        .putObject("match")
        .putArray("except")
        .add("melanoma")
        .add("actinic_keratoses");
    notMelanomaNotFace
        .putArray("must_not")
        .addObject()
        .put("key", "localization")
        .putObject("match")
        .putArray("any")
        .add("face")
        .add("neck");

    ObjectNode batch = JSON.createObjectNode();
    ArrayNode searches = batch.putArray("searches");
    ObjectNode first = searches.addObject();
    first.putObject("query").put("image", image);
    first
        .put("limit", 5)
        .putObject("with_payload")
        .putArray("exclude")
        .add("lesion_id")
        .add("thumbnail");
    ObjectNode second = searches.addObject();
    second.putObject("query").put("image_id", query.imageId());
    second
        .put("limit", 5)
        .putObject("with_payload")
        .putArray("exclude")
        .add("dx_type")
        .add("thumbnail");

    return List.of(
        new Example("Top 10 most similar", imageSearch(image, 10)),
        new Example(
            "Female patients aged 55 or more (must sex, should age: Qdrant needs one should to match)",
            withFilter(imageSearch(image, 10), femaleOlder)),
        new Example(
            "Score threshold 0.92, up to 20 hits",
            imageSearch(image, 20).put("score_threshold", 0.92)),
        new Example(
            "Only among 10 listed ids (has_id under must)",
            withFilter(imageSearch(image, 10), inList)),
        new Example(
            "Excluding those 10 ids (has_id under must_not)",
            withFilter(imageSearch(image, 10), notInList)),
        new Example(
            "Not melanoma or actinic keratoses, not on face or neck (match except, must_not any)",
            withFilter(imageSearch(image, 10), notMelanomaNotFace)),
        new Example(
            "More like indexed image " + query.imageId() + " (by image_id)",
            byImageId(query.imageId())),
        new Example("A batch of two searches, each excluding some payload keys", batch));
  }

  private static ObjectNode imageSearch(String base64, int limit) {
    ObjectNode request = JSON.createObjectNode();
    request.putObject("query").put("image", base64);
    request.put("limit", limit);
    // Thumbnails are for the web page; a table has no use for them.
    request.putObject("with_payload").putArray("exclude").add("thumbnail");
    return request;
  }

  private static ObjectNode byImageId(String imageId) {
    ObjectNode request = JSON.createObjectNode();
    request.putObject("query").put("image_id", imageId);
    request.put("limit", 10);
    request.putObject("with_payload").putArray("exclude").add("thumbnail");
    return request;
  }

  private static ObjectNode withFilter(ObjectNode request, ObjectNode filter) {
    request.set("filter", filter);
    return request;
  }

  private static ObjectNode filter() {
    return JSON.createObjectNode();
  }

  private static ObjectNode match(String key, String value) {
    ObjectNode condition = JSON.createObjectNode().put("key", key);
    condition.putObject("match").put("value", value);
    return condition;
  }

  private static String base64(LesionImage image) {
    try {
      return Base64.getEncoder().encodeToString(Files.readAllBytes(image.file()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the query image " + image.file(), e);
    }
  }
}
