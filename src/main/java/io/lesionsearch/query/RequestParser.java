package io.lesionsearch.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.lesionsearch.audit.RequestedBy;
import io.lesionsearch.image.Base64Image;
import io.lesionsearch.kafka.BoundedText;
import io.lesionsearch.payload.LesionPayload;
import io.lesionsearch.qdrant.PointIds;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Points.PayloadExcludeSelector;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a search request against the contract in README.md ("Search requests") and turns it into
 * {@link SearchSpec}s. Every problem becomes a {@link QueryException} whose code the reply carries
 * and whose message names the field at fault.
 */
public final class RequestParser implements Serializable {

  public static final int MAX_LIMIT = 1000;
  public static final int DEFAULT_LIMIT = 10;
  public static final int MAX_SEARCHES = 100;

  /** Image searches per request: each decodes an image of up to --max-pixels. */
  public static final int DEFAULT_MAX_IMAGE_SEARCHES = 4;

  /** limit + offset over a request's searches: what Qdrant must rank and send back for it. */
  public static final long DEFAULT_MAX_HITS = 10_000;

  /** The payload field that names a hit; every hit shows it, whatever with_payload says. */
  public static final String IMAGE_ID = "image_id";

  /** The most hits per group a grouped search may ask for. */
  public static final int MAX_GROUP_SIZE = 10;

  /**
   * The payload keys a search may group by: the lesion and the text fields that describe it. Every
   * lesion point has them as plain strings, which is what Qdrant can group on.
   */
  public static final List<String> GROUP_KEYS =
      List.of(
          LesionPayload.LESION_ID,
          LesionPayload.DX,
          LesionPayload.DX_CODE,
          LesionPayload.DX_TYPE,
          LesionPayload.SEX,
          LesionPayload.LOCALIZATION);

  /** The request's field naming who it is for (see {@link RequestedBy}). */
  public static final String REQUESTED_BY = "requested_by";

  private static final Set<String> SEARCH_FIELDS =
      Set.of(
          "query",
          "filter",
          "limit",
          "offset",
          "score_threshold",
          "with_payload",
          "group_by",
          "group_size");
  private static final Set<String> QUERY_KINDS = Set.of("image", "vector", "image_id");

  private final int vectorSize;
  private final int maxImageBytes;
  private final int maxImageSearches;
  private final long maxHits;

  public RequestParser(int vectorSize, int maxImageBytes) {
    this(vectorSize, maxImageBytes, DEFAULT_MAX_IMAGE_SEARCHES, DEFAULT_MAX_HITS);
  }

  /**
   * @param maxImageSearches image searches one request may hold
   * @param maxHits the most limit + offset, summed over a request's searches
   */
  public RequestParser(int vectorSize, int maxImageBytes, int maxImageSearches, long maxHits) {
    this.vectorSize = vectorSize;
    this.maxImageBytes = maxImageBytes;
    this.maxImageSearches = maxImageSearches;
    this.maxHits = maxHits;
  }

  public SearchRequest parse(String requestId, JsonNode root, long receivedAtMillis)
      throws QueryException {
    String requestedBy = requestedBy(root);
    JsonNode searches = root.get("searches");
    if (searches == null) {
      checkFields(root, "request", "request_id", REQUESTED_BY);
      return checked(
          new SearchRequest(
              requestId, List.of(search(root, "")), false, receivedAtMillis, requestedBy));
    }
    checkFields(root, "request", "request_id", REQUESTED_BY, "searches");
    for (String field : SEARCH_FIELDS) {
      if (root.has(field)) {
        throw invalid("\"" + field + "\" belongs inside each of \"searches\", not beside it");
      }
    }
    if (!searches.isArray() || searches.isEmpty() || searches.size() > MAX_SEARCHES) {
      throw invalid("searches must be a list of 1 to " + MAX_SEARCHES + " searches");
    }
    List<SearchSpec> specs = new ArrayList<>();
    int images = 0;
    for (int i = 0; i < searches.size(); i++) {
      JsonNode search = searches.get(i);
      String where = "searches[" + i + "].";
      if (!search.isObject()) {
        throw invalid(where + " must be an object");
      }
      checkFields(search, "searches[" + i + "]");
      // Counted before parsing: a base64 image is decoded as it is parsed.
      if (search.path("query").has("image") && ++images > maxImageSearches) {
        throw invalid(
            "a request may hold at most "
                + maxImageSearches
                + " image searches; send the others separately");
      }
      specs.add(search(search, where));
    }
    return checked(new SearchRequest(requestId, specs, true, receivedAtMillis, requestedBy));
  }

  /**
   * The request's {@code requested_by}: null when absent or null, else a string within {@link
   * RequestedBy}'s rules.
   */
  public static String requestedBy(JsonNode root) throws QueryException {
    JsonNode value = root.get(REQUESTED_BY);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new QueryException(
          ErrorCode.INVALID_REQUESTED_BY,
          "requested_by must be a string, got " + value.getNodeType());
    }
    Optional<String> problem = RequestedBy.problem(value.asText());
    if (problem.isPresent()) {
      throw new QueryException(ErrorCode.INVALID_REQUESTED_BY, problem.get());
    }
    return value.asText();
  }

  /** The request as a whole, within what one request may ask of Qdrant. */
  private SearchRequest checked(SearchRequest request) throws QueryException {
    long hits = 0;
    for (SearchSpec spec : request.searches()) {
      SearchPoints points;
      try {
        points = SearchPoints.parseFrom(spec.searchPoints());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("a template this parser wrote always parses", e);
      }
      // Each term is checked first, so the sum cannot overflow.
      long more =
          spec.grouped()
              ? (long) points.getLimit() * spec.groupSize()
              : points.getLimit() + Math.min(points.getOffset(), maxHits + 1);
      hits += more;
      if (hits > maxHits) {
        throw new QueryException(
            ErrorCode.LIMIT_OUT_OF_RANGE,
            "limit + offset (limit * group_size when grouped) over the request's searches comes"
                + " to more"
                + " than "
                + maxHits
                + ", the most one request may ask for; page with smaller offsets or send fewer searches");
      }
    }
    return request;
  }

  private SearchSpec search(JsonNode json, String where) throws QueryException {
    SearchPoints.Builder points = SearchPoints.newBuilder();
    JsonNode filter = json.get("filter");
    String filterJson = null;
    if (filter != null && !filter.isNull()) {
      points.setFilter(FilterJson.parse(filter, where + "filter"));
      filterJson = filter.toString();
    }
    points.setLimit(limit(json.get("limit"), where));
    JsonNode offset = json.get("offset");
    if (offset != null && !offset.isNull()) {
      if (!offset.canConvertToExactIntegral()
          || !offset.canConvertToLong()
          || offset.asLong() < 0) {
        throw invalid(where + "offset must be an integer >= 0, got " + offset);
      }
      points.setOffset(offset.asLong());
    }
    JsonNode threshold = json.get("score_threshold");
    if (threshold != null && !threshold.isNull()) {
      if (!threshold.isNumber() || !Double.isFinite(threshold.asDouble())) {
        throw invalid(where + "score_threshold must be a number, got " + threshold);
      }
      points.setScoreThreshold(threshold.floatValue());
    }
    PayloadChoice payload = payload(json.get("with_payload"), where);
    points.setWithPayload(payload.selector);
    String groupBy = groupBy(json, where);
    int groupSize = groupSize(json, groupBy, where);

    JsonNode query = json.get("query");
    if (query == null || !query.isObject() || query.isEmpty()) {
      throw invalid(where + "query must be an object with one of image, vector or image_id");
    }
    List<String> kinds = new ArrayList<>();
    for (Iterator<String> names = query.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (QUERY_KINDS.contains(name)) {
        kinds.add(name);
      } else if (!name.equals("include_self") && !name.equals("model_id")) {
        throw new QueryException(
            ErrorCode.UNKNOWN_QUERY_KIND,
            where
                + "query: unknown query kind \""
                + name
                + "\" (expected image, vector or image_id)");
      }
    }
    if (kinds.size() != 1) {
      throw invalid(
          where + "query must have exactly one of image, vector or image_id, got " + kinds);
    }
    if (query.has("include_self")
        && !(kinds.get(0).equals("image_id") && query.get("include_self").isBoolean())) {
      throw invalid(where + "query.include_self is a boolean that only an image_id query takes");
    }
    if (query.has("model_id")
        && !(kinds.get(0).equals("vector") && query.get("model_id").isTextual())) {
      throw invalid(where + "query.model_id is a string that only a vector query takes");
    }
    byte[] template = points.build().toByteArray();
    JsonNode value = query.get(kinds.get(0));
    return switch (kinds.get(0)) {
      case "image" ->
          new SearchSpec(
              QueryKind.IMAGE,
              image(value, where),
              null,
              null,
              false,
              template,
              filterJson,
              payload.show,
              payload.hideImageId,
              groupBy,
              groupSize);
      case "vector" ->
          new SearchSpec(
                  QueryKind.VECTOR,
                  null,
                  vector(value, where),
                  null,
                  false,
                  template,
                  filterJson,
                  payload.show,
                  payload.hideImageId,
                  groupBy,
                  groupSize)
              .withModelId(query.has("model_id") ? query.get("model_id").asText() : null);
      default ->
          new SearchSpec(
              QueryKind.IMAGE_ID,
              null,
              null,
              imageId(value, where),
              query.path("include_self").asBoolean(false),
              template,
              filterJson,
              payload.show,
              payload.hideImageId,
              groupBy,
              groupSize);
    };
  }

  /** The group key, or null for a plain search. */
  private static String groupBy(JsonNode json, String where) throws QueryException {
    JsonNode groupBy = json.get("group_by");
    if (groupBy == null || groupBy.isNull()) {
      return null;
    }
    if (!groupBy.isTextual() || !GROUP_KEYS.contains(groupBy.asText())) {
      throw invalid(
          where
              + "group_by must be one of "
              + GROUP_KEYS
              + ", got "
              + BoundedText.of(groupBy.toString(), 80));
    }
    JsonNode offset = json.get("offset");
    if (offset != null
        && !offset.isNull()
        && !(offset.isIntegralNumber() && offset.asLong() == 0)) {
      throw invalid(
          where
              + "offset cannot be combined with group_by: Qdrant's groups API has no offset;"
              + " raise limit (the number of groups) instead");
    }
    return groupBy.asText();
  }

  /** group_size: 1 by default when grouped (one hit per group); refused without group_by. */
  private static int groupSize(JsonNode json, String groupBy, String where) throws QueryException {
    JsonNode size = json.get("group_size");
    if (size == null || size.isNull()) {
      return groupBy == null ? 0 : 1;
    }
    if (groupBy == null) {
      throw invalid(where + "group_size needs group_by (it counts hits per group)");
    }
    if (!size.canConvertToExactIntegral()
        || !size.canConvertToLong()
        || size.asLong() < 1
        || size.asLong() > MAX_GROUP_SIZE) {
      throw invalid(
          where
              + "group_size must be an integer from 1 to "
              + MAX_GROUP_SIZE
              + ", got "
              + BoundedText.of(size.toString(), 80));
    }
    return size.asInt();
  }

  private static int limit(JsonNode limit, String where) throws QueryException {
    if (limit == null || limit.isNull()) {
      return DEFAULT_LIMIT;
    }
    if (!limit.canConvertToExactIntegral()) {
      throw invalid(where + "limit must be an integer, got " + limit);
    }
    if (!limit.canConvertToLong() || limit.asLong() < 1 || limit.asLong() > MAX_LIMIT) {
      throw new QueryException(
          ErrorCode.LIMIT_OUT_OF_RANGE, where + "limit must be 1.." + MAX_LIMIT + ", got " + limit);
    }
    return limit.asInt();
  }

  private record PayloadChoice(WithPayloadSelector selector, boolean show, boolean hideImageId) {}

  /**
   * Qdrant's with_payload, widened so that Qdrant always returns image_id (every hit is named by
   * it); the reply drops it from the payload again where the client did not ask for it.
   */
  private static PayloadChoice payload(JsonNode json, String where) throws QueryException {
    if (json == null || json.isNull() || (json.isBoolean() && json.asBoolean())) {
      return new PayloadChoice(WithPayloadSelectorFactory.enable(true), true, false);
    }
    if (json.isBoolean()) {
      return new PayloadChoice(WithPayloadSelectorFactory.include(List.of(IMAGE_ID)), false, true);
    }
    if (json.isArray() || (json.isObject() && json.size() == 1 && json.has("include"))) {
      List<String> keys = keys(json.isArray() ? json : json.get("include"), where);
      boolean asked = keys.contains(IMAGE_ID);
      if (!asked) {
        keys.add(IMAGE_ID);
      }
      return new PayloadChoice(WithPayloadSelectorFactory.include(keys), true, !asked);
    }
    if (json.isObject() && json.size() == 1 && json.has("exclude")) {
      List<String> keys = keys(json.get("exclude"), where);
      boolean excluded = keys.remove(IMAGE_ID);
      WithPayloadSelector selector =
          keys.isEmpty()
              ? WithPayloadSelectorFactory.enable(true)
              : WithPayloadSelector.newBuilder()
                  .setExclude(PayloadExcludeSelector.newBuilder().addAllFields(keys))
                  .build();
      return new PayloadChoice(selector, true, excluded);
    }
    throw invalid(
        where
            + "with_payload must be true, false, a list of keys, {\"include\": [...]} or"
            + " {\"exclude\": [...]}, got "
            + json);
  }

  private static List<String> keys(JsonNode json, String where) throws QueryException {
    List<String> keys = new ArrayList<>();
    if (json != null && json.isArray()) {
      for (JsonNode k : json) {
        if (!k.isTextual()) {
          throw invalid(where + "with_payload keys must be strings, got " + k);
        }
        keys.add(k.asText());
      }
      return keys;
    }
    throw invalid(where + "with_payload keys must be a list of strings, got " + json);
  }

  private byte[] image(JsonNode value, String where) throws QueryException {
    if (!value.isTextual()) {
      throw invalid(where + "query.image must be a base64 string");
    }
    try {
      return Base64Image.decode(value.asText(), maxImageBytes);
    } catch (IllegalArgumentException e) {
      throw new QueryException(
          ErrorCode.IMAGE_UNREADABLE, where + "query.image: " + e.getMessage());
    }
  }

  private float[] vector(JsonNode value, String where) throws QueryException {
    if (!value.isArray()) {
      throw invalid(where + "query.vector must be a list of numbers");
    }
    if (value.size() != vectorSize) {
      throw new QueryException(
          ErrorCode.VECTOR_SIZE_MISMATCH,
          where
              + "query.vector has "
              + value.size()
              + " numbers; this model's vectors have "
              + vectorSize);
    }
    float[] v = new float[vectorSize];
    for (int i = 0; i < vectorSize; i++) {
      JsonNode x = value.get(i);
      if (!x.isNumber() || !Float.isFinite(x.floatValue())) {
        throw invalid(where + "query.vector[" + i + "] must be a finite number, got " + x);
      }
      v[i] = x.floatValue();
    }
    return v;
  }

  private static String imageId(JsonNode value, String where) throws QueryException {
    if (!value.isTextual() || value.asText().isBlank()) {
      throw invalid(where + "query.image_id must be a non-empty string");
    }
    if (value.asText().length() > PointIds.MAX_IMAGE_ID_CHARS) {
      throw invalid(
          where
              + "query.image_id is "
              + value.asText().length()
              + " characters; no indexed image_id is over "
              + PointIds.MAX_IMAGE_ID_CHARS);
    }
    return value.asText();
  }

  private static void checkFields(JsonNode json, String what, String... extra)
      throws QueryException {
    Set<String> allowed = new java.util.HashSet<>(SEARCH_FIELDS);
    allowed.addAll(List.of(extra));
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw invalid(
            what
                + " has an unknown field \""
                + name
                + "\" (known: "
                + new java.util.TreeSet<>(allowed)
                + ")");
      }
    }
  }

  private static QueryException invalid(String message) {
    return new QueryException(ErrorCode.INVALID_REQUEST, message);
  }
}
