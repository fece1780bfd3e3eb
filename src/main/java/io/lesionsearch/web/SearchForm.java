package io.lesionsearch.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.Diagnosis;
import io.lesionsearch.payload.LesionPayload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One search as the page's form sends it, checked, and turned into a request of the query job's
 * format. Every problem is a 400 whose message names the field as the page labels it.
 *
 * @param image the uploaded image, or null when searching by {@code imageId}
 * @param imageId an indexed image whose neighbours are wanted ("more like this"), or null
 * @param scoreThreshold null for none
 * @param limit lesions (cards) to show, or photos when {@code everyPhoto}
 * @param everyPhoto one card per photo ("Show every photo"); by default one card per lesion, with
 *     up to {@link #PHOTOS_PER_LESION} of its photos
 */
public record SearchForm(
    byte[] image,
    String imageId,
    int limit,
    Double scoreThreshold,
    LesionFilter filter,
    boolean everyPhoto) {

  public static final int MAX_RESULTS = 40;
  public static final int DEFAULT_RESULTS = 10;

  /** Photos a lesion's card holds: its best match and, as thumbnails, the next ones. */
  public static final int PHOTOS_PER_LESION = 3;

  /** What a result card shows; the rest of a payload (model_id, ingested_at...) stays in Qdrant. */
  public static final List<String> CARD_FIELDS =
      List.of(
          LesionPayload.IMAGE_ID,
          LesionPayload.LESION_ID,
          LesionPayload.DX,
          LesionPayload.DX_TYPE,
          LesionPayload.LOCALIZATION,
          LesionPayload.SEX,
          LesionPayload.AGE,
          LesionPayload.THUMBNAIL);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_SITES = 100;

  /**
   * @param image the uploaded file's bytes, or null when none was sent
   */
  public static SearchForm read(Map<String, List<String>> fields, byte[] image) throws WebError {
    String imageId = text(fields, "image_id");
    if (image != null && image.length == 0) {
      throw invalid("The uploaded file is empty. Choose a JPEG or PNG photo of the lesion.");
    }
    if (image == null && imageId == null) {
      throw invalid("Choose an image to upload, or enter the image_id of an indexed image.");
    }
    if (image != null && imageId != null) {
      throw invalid("Search by an uploaded image or by an image_id, not both at once.");
    }
    if (imageId != null && imageId.length() > 200) {
      throw invalid("The image_id is too long to be one (over 200 characters).");
    }
    int limit = integer(fields, "limit", "Number of results", 1, MAX_RESULTS, DEFAULT_RESULTS);
    Double threshold = null;
    String t = text(fields, "score_threshold");
    if (t != null) {
      try {
        threshold = Double.parseDouble(t);
      } catch (NumberFormatException e) {
        threshold = Double.NaN;
      }
      if (!(threshold >= -1 && threshold <= 1)) {
        throw invalid(
            "Minimum similarity must be a number from -1 to 1 (cosine similarity), got \""
                + t
                + "\".");
      }
    }
    String sex = text(fields, "sex");
    if (sex != null && sex.equalsIgnoreCase("any")) {
      sex = null;
    }
    if (sex != null && !sex.equals("female") && !sex.equals("male")) {
      throw invalid("Sex must be any, female or male, got \"" + sex + "\".");
    }
    Integer ageMin = integer(fields, "age_min", "Age from", 0, 150, null);
    Integer ageMax = integer(fields, "age_max", "Age to", 0, 150, null);
    if (ageMin != null && ageMax != null && ageMin > ageMax) {
      throw invalid("Age from (" + ageMin + ") is above age to (" + ageMax + ").");
    }
    List<Diagnosis> include = diagnoses(fields, "dx_include");
    List<Diagnosis> exclude = diagnoses(fields, "dx_exclude");
    for (Diagnosis d : include) {
      if (exclude.contains(d)) {
        throw invalid(d.label() + " is both included and excluded; choose one.");
      }
    }
    List<String> sites = new ArrayList<>();
    for (String site : fields.getOrDefault("localization_exclude", List.of())) {
      if (!site.isBlank()) {
        sites.add(site.trim());
      }
    }
    if (sites.size() > MAX_SITES) {
      throw invalid("Too many body locations to exclude (" + sites.size() + ").");
    }
    return new SearchForm(
        image,
        imageId,
        limit,
        threshold,
        new LesionFilter(sex, ageMin, ageMax, include, exclude, sites),
        text(fields, "every_photo") != null);
  }

  /** The request for the query job (SearchClient adds the request_id). */
  public ObjectNode toRequest() {
    ObjectNode request = JSON.createObjectNode();
    ObjectNode query = request.putObject("query");
    if (image != null) {
      // Binary, not a base64 String: Jackson writes the base64 straight into the request's bytes,
      // so
      // the upload is not held once more as text (its default variant is standard base64, padded).
      query.put("image", image);
    } else {
      query.put("image_id", imageId);
    }
    ObjectNode filterJson = filter.toJson();
    if (filterJson != null) {
      request.set("filter", filterJson);
    }
    request.put("limit", limit);
    if (!everyPhoto) {
      // HAM10000 has several photos of many lesions: one card each, not one per photo.
      request.put("group_by", LesionPayload.LESION_ID);
      request.put("group_size", PHOTOS_PER_LESION);
    }
    if (scoreThreshold != null) {
      request.put("score_threshold", scoreThreshold);
    }
    CARD_FIELDS.forEach(request.putArray("with_payload")::add);
    return request;
  }

  private static String text(Map<String, List<String>> fields, String name) {
    List<String> values = fields.get(name);
    if (values == null || values.isEmpty() || values.get(0) == null || values.get(0).isBlank()) {
      return null;
    }
    return values.get(0).trim();
  }

  private static Integer integer(
      Map<String, List<String>> fields, String name, String label, int min, int max, Integer absent)
      throws WebError {
    String value = text(fields, name);
    if (value == null) {
      return absent;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below with the range
    }
    throw invalid(
        label + " must be a whole number from " + min + " to " + max + ", got \"" + value + "\".");
  }

  private static List<Diagnosis> diagnoses(Map<String, List<String>> fields, String name)
      throws WebError {
    List<Diagnosis> out = new ArrayList<>();
    for (String value : fields.getOrDefault(name, List.of())) {
      if (value.isBlank()) {
        continue;
      }
      Diagnosis d = Diagnosis.parse(value).orElse(null);
      if (d == null) {
        throw invalid("Unknown diagnosis \"" + value + "\".");
      }
      if (!out.contains(d)) {
        out.add(d);
      }
    }
    return out;
  }

  private static WebError invalid(String message) {
    return new WebError(400, "INVALID_INPUT", message);
  }
}
