package io.lesionsearch.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.audit.AuditJson;
import io.lesionsearch.audit.RequestedBy;
import io.lesionsearch.image.Base64Image;
import io.lesionsearch.kafka.BoundedText;
import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.payload.LesionPayload;
import io.lesionsearch.qdrant.JsonValues;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.query.FilterJson;
import io.lesionsearch.query.QueryException;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks an ingest message against the contract in README.md ("Messages") and turns it into an
 * image to embed plus the point's payload, built here once as Qdrant values (see {@link
 * LesionPayload}). The payload holds an explicit list of fields: the HAM10000 fields, type- and
 * size-checked, and the extras the job was configured with ({@code --payload-field}), size- and
 * depth-checked; other fields are not stored, and {@code image_uri} never is. A refusal says why as
 * a {@link RecordProblem}; its message names the field and the kind of value, never the value
 * itself.
 */
public final class IngestMessageParser implements Serializable {

  /**
   * Metadata travels as the point's payload; far below the sink's 1 MiB per point, far above
   * HAM10000's.
   */
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  public static final int MAX_IMAGE_ID_CHARS = PointIds.MAX_IMAGE_ID_CHARS;

  /** The field that says what a message asks for; absent means upsert. */
  public static final String OP = "op";

  public static final String OP_UPSERT = "upsert";
  public static final String OP_DELETE = "delete";

  /** A delete-by-filter's filter, in Qdrant's filter JSON. */
  public static final String FILTER = "filter";

  /** Who a delete is for, kept in the audit trail. */
  public static final String REQUESTED_BY = "requested_by";

  /** The audit quotes a deletion's filter up to this long. */
  static final int MAX_FILTER_AUDIT_CHARS = AuditJson.MAX_FILTER_CHARS;

  /** The text fields hold codes and body sites. */
  public static final int MAX_TEXT_CHARS = 256;

  public static final int MAX_IMAGE_URI_CHARS = 4096;

  /** An extra field's value may nest objects and lists this deep. */
  public static final int MAX_EXTRA_DEPTH = 8;

  private final int maxImageBytes;
  private final List<String> extraFields;
  private transient ObjectMapper json;

  public IngestMessageParser(int maxImageBytes) {
    this(maxImageBytes, List.of());
  }

  /**
   * @param extraFields fields stored in the payload besides the HAM10000 ones
   */
  public IngestMessageParser(int maxImageBytes, List<String> extraFields) {
    if (maxImageBytes < 1) {
      throw new IllegalArgumentException("max image bytes must be positive, got " + maxImageBytes);
    }
    for (String field : extraFields) {
      if (field.isBlank()
          || LesionPayload.isDatasetField(field)
          || LesionPayload.RESERVED.contains(field)) {
        throw new IllegalArgumentException(
            "--payload-field "
                + field
                + " is not an extra field: the HAM10000 fields are"
                + " stored anyway, and "
                + LesionPayload.RESERVED
                + " are never taken from a message");
      }
    }
    this.maxImageBytes = maxImageBytes;
    this.extraFields = List.copyOf(extraFields);
  }

  /**
   * Jackson refuses strings over 20 million characters by default, which a 16 MiB image is in
   * base64; it is allowed what the image limit allows, and nesting is kept shallow.
   */
  private ObjectMapper json() {
    if (json == null) {
      long base64Chars = (long) maxImageBytes * 4 / 3 + 1024;
      json =
          new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxStringLength(
                              (int)
                                  Math.min(
                                      Integer.MAX_VALUE,
                                      Math.max(
                                          base64Chars,
                                          StreamReadConstraints.DEFAULT_MAX_STRING_LEN)))
                          .maxNestingDepth(MAX_EXTRA_DEPTH + 8)
                          .build())
                  .build());
    }
    return json;
  }

  /**
   * Any ingest message: a tombstone (a key and no value) or {@code "op": "delete"} becomes a {@link
   * Deletion}, anything else an image as {@link #parse} checks it.
   */
  public IngestMessage read(SourceRecord record) throws InvalidRecordException {
    if (record.value() == null) {
      return tombstone(record);
    }
    ObjectNode message = object(record);
    JsonNode op = message.get(OP);
    if (op == null || op.isNull()) {
      return image(message, record);
    }
    if (!op.isTextual()) {
      throw new InvalidRecordException(
          RecordProblem.WRONG_TYPE, "op must be a string, got " + op.getNodeType());
    }
    return switch (op.asText()) {
      case OP_UPSERT -> image(message, record);
      case OP_DELETE -> deletion(message, record);
      default ->
          throw new InvalidRecordException(
              RecordProblem.UNKNOWN_OP,
              "op must be \"" + OP_UPSERT + "\" or \"" + OP_DELETE + "\", got another string");
    };
  }

  /** Kafka's way to delete a key: the key is the image_id, as the producer writes it. */
  private static Deletion tombstone(SourceRecord record) throws InvalidRecordException {
    if (record.key() == null || record.key().length == 0) {
      throw new InvalidRecordException(
          RecordProblem.EMPTY_MESSAGE, "empty message (no value, and no key to delete)");
    }
    String imageId = new String(record.key(), StandardCharsets.UTF_8);
    if (imageId.isBlank()) {
      throw new InvalidRecordException(
          RecordProblem.MISSING_FIELD, "a tombstone's key (the image_id) is blank");
    }
    if (imageId.length() > MAX_IMAGE_ID_CHARS) {
      throw new InvalidRecordException(
          RecordProblem.TEXT_TOO_LONG,
          "a tombstone's key (the image_id) is "
              + imageId.length()
              + " characters, over the limit of "
              + MAX_IMAGE_ID_CHARS);
    }
    return Deletion.ofImage(record, imageId, null);
  }

  /** Exactly one of image_id and filter; a filter only on the payload's own fields. */
  private Deletion deletion(ObjectNode message, SourceRecord record) throws InvalidRecordException {
    String imageId = text(message, LesionPayload.IMAGE_ID, MAX_IMAGE_ID_CHARS);
    String requestedBy = requestedBy(message);
    JsonNode filter = message.get(FILTER);
    boolean byId = imageId != null;
    boolean byFilter = filter != null && !filter.isNull();
    if (byId == byFilter) {
      throw new InvalidRecordException(
          RecordProblem.AMBIGUOUS_DELETE,
          "a delete names either image_id or filter, got " + (byId ? "both" : "neither"));
    }
    if (byId) {
      if (imageId.isBlank()) {
        throw new InvalidRecordException(RecordProblem.MISSING_FIELD, "image_id is blank");
      }
      return Deletion.ofImage(record, imageId, requestedBy);
    }
    checkFilterKeys(filter, 0);
    Filter parsed;
    try {
      parsed = FilterJson.parse(filter, FILTER);
    } catch (QueryException e) {
      throw new InvalidRecordException(RecordProblem.INVALID_FILTER, e.getMessage());
    }
    if (matchesAll(parsed)) {
      throw new InvalidRecordException(
          RecordProblem.FILTER_MATCHES_ALL,
          "the filter has no condition and would delete every point; delete the collection"
              + " instead if that is meant");
    }
    return Deletion.matching(
        record, parsed, BoundedText.of(filter.toString(), MAX_FILTER_AUDIT_CHARS), requestedBy);
  }

  /** Who the delete is for, as the audit keeps it; optional. */
  private static String requestedBy(ObjectNode message) throws InvalidRecordException {
    JsonNode node = message.get(REQUESTED_BY);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new InvalidRecordException(
          RecordProblem.WRONG_TYPE, "requested_by must be a string, got " + node.getNodeType());
    }
    var problem = RequestedBy.problem(node.asText());
    if (problem.isPresent()) {
      throw new InvalidRecordException(RecordProblem.INVALID_VALUE, problem.get());
    }
    return node.asText();
  }

  /**
   * A deletion filters on what a message may store or the job writes, so that a misspelt key (which
   * Qdrant would match as missing) is refused rather than run.
   */
  private void checkFilterKeys(JsonNode json, int depth) throws InvalidRecordException {
    if (depth > FilterJson.MAX_DEPTH * 4) {
      return; // FilterJson refuses it for its depth
    }
    if (json.isObject()) {
      JsonNode key = json.get("key");
      if (key != null && key.isTextual() && !filterable(key.asText())) {
        throw new InvalidRecordException(
            RecordProblem.INVALID_FILTER,
            "a delete filters only on payload fields ("
                + filterableFields()
                + "), got a key that is none of them");
      }
    }
    for (JsonNode child : json) {
      checkFilterKeys(child, depth + 1);
    }
  }

  private boolean filterable(String key) {
    String field = key.split("[.\\[]", 2)[0];
    return LesionPayload.isDatasetField(field)
        || field.equals(LesionPayload.MODEL_ID)
        || field.equals(LesionPayload.INGESTED_AT)
        || extraFields.contains(field);
  }

  private String filterableFields() {
    List<String> fields = new ArrayList<>();
    fields.add(LesionPayload.IMAGE_ID);
    fields.addAll(LesionPayload.TEXT_FIELDS);
    fields.add(LesionPayload.AGE);
    fields.add(LesionPayload.MODEL_ID);
    fields.add(LesionPayload.INGESTED_AT);
    fields.addAll(extraFields);
    return String.join(", ", fields);
  }

  /** No condition at all, or only nested filters with none: Qdrant would match every point. */
  static boolean matchesAll(Filter filter) {
    if (filter.hasMinShould() && filter.getMinShould().getConditionsCount() > 0) {
      return false;
    }
    for (var list :
        List.of(filter.getMustList(), filter.getShouldList(), filter.getMustNotList())) {
      for (Condition c : list) {
        if (!c.hasFilter() || !matchesAll(c.getFilter())) {
          return false;
        }
      }
    }
    return true;
  }

  /** An image message, as {@link #read} would take it; tombstones and deletes are refused. */
  public ImageToEmbed parse(SourceRecord record) throws InvalidRecordException {
    if (record.value() == null || record.value().length == 0) {
      throw new InvalidRecordException(RecordProblem.EMPTY_MESSAGE, "empty message (no value)");
    }
    return image(object(record), record);
  }

  private ObjectNode object(SourceRecord record) throws InvalidRecordException {
    if (record.value().length == 0) {
      throw new InvalidRecordException(RecordProblem.EMPTY_MESSAGE, "empty message (no value)");
    }
    JsonNode root;
    try {
      root = json().readTree(record.value());
    } catch (JsonProcessingException e) {
      throw new InvalidRecordException(RecordProblem.NOT_JSON, BoundedText.notJson(e));
    } catch (IOException e) {
      throw new InvalidRecordException(
          RecordProblem.NOT_JSON, "unreadable message: " + e.getClass().getSimpleName());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidRecordException(
          RecordProblem.NOT_AN_OBJECT,
          "expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType()));
    }
    return (ObjectNode) root;
  }

  private ImageToEmbed image(ObjectNode message, SourceRecord record)
      throws InvalidRecordException {
    Struct.Builder payload = Struct.newBuilder();

    String imageId = text(message, LesionPayload.IMAGE_ID, MAX_IMAGE_ID_CHARS);
    if (imageId == null || imageId.isBlank()) {
      throw new InvalidRecordException(RecordProblem.MISSING_FIELD, "image_id is missing");
    }
    payload.putFields(LesionPayload.IMAGE_ID, JsonValues.of(imageId));
    for (String field : LesionPayload.TEXT_FIELDS) {
      String value = text(message, field, MAX_TEXT_CHARS);
      if (value != null) {
        payload.putFields(field, JsonValues.of(value));
      }
    }
    JsonNode age = message.get(LesionPayload.AGE);
    if (age != null
        && !age.isNull()) { // a missing age stays missing rather than becoming null or 0
      double max = LesionPayload.MAX_AGE;
      if (!age.isNumber()
          || !Double.isFinite(age.asDouble())
          || age.asDouble() < 0
          || age.asDouble() > max) {
        RecordProblem problem =
            age.isNumber() ? RecordProblem.INVALID_VALUE : RecordProblem.WRONG_TYPE;
        throw new InvalidRecordException(
            problem,
            "age must be a number from 0 to "
                + (int) max
                + " or null, got "
                + (age.isNumber() ? "a number out of that range" : age.getNodeType()));
      }
      payload.putFields(LesionPayload.AGE, JsonValues.of(age));
    }
    for (String field : extraFields) {
      JsonNode value = message.get(field);
      if (value != null) {
        checkExtra(field, value, 1);
        payload.putFields(field, JsonValues.of(value));
      }
    }

    byte[] image = null;
    String imageUri = text(message, LesionPayload.IMAGE_URI, MAX_IMAGE_URI_CHARS);
    JsonNode inline = message.get(LesionPayload.IMAGE);
    if (inline != null && !inline.isNull()) {
      if (!inline.isTextual()) {
        throw new InvalidRecordException(
            RecordProblem.WRONG_TYPE, "image must be a base64 string, got " + inline.getNodeType());
      }
      image = decodeBase64(inline.asText());
    } else if (imageUri == null) {
      throw new InvalidRecordException(
          RecordProblem.NO_IMAGE, "neither image (base64) nor image_uri is given");
    }

    Struct built = payload.build();
    if (built.getSerializedSize() > MAX_PAYLOAD_BYTES) {
      throw new InvalidRecordException(
          RecordProblem.PAYLOAD_TOO_LARGE,
          "metadata is "
              + built.getSerializedSize()
              + " bytes, over the limit of "
              + MAX_PAYLOAD_BYTES
              + " bytes");
    }
    return new ImageToEmbed(record, imageId, image, image == null ? imageUri : null, built);
  }

  /** Qdrant's payload JSON has no NaN or infinity, and Qdrant refuses messages nested too deep. */
  private static void checkExtra(String field, JsonNode value, int depth)
      throws InvalidRecordException {
    if (depth > MAX_EXTRA_DEPTH) {
      throw new InvalidRecordException(
          RecordProblem.NESTED_TOO_DEEP,
          field + " nests more than " + MAX_EXTRA_DEPTH + " levels deep");
    }
    if (value.isNumber() && !Double.isFinite(value.asDouble())) {
      throw new InvalidRecordException(
          RecordProblem.INVALID_VALUE, field + " holds a number too large to store");
    }
    for (JsonNode child : value) {
      checkExtra(field, child, depth + 1);
    }
  }

  private byte[] decodeBase64(String text) throws InvalidRecordException {
    if (Base64Image.decodedSize(text) > maxImageBytes) {
      throw new InvalidRecordException(
          RecordProblem.IMAGE_TOO_LARGE,
          "image is about "
              + Base64Image.decodedSize(text)
              + " bytes, over the limit of "
              + maxImageBytes
              + " bytes; send large images as image_uri");
    }
    // Blank text is the only base64 that decodes to no bytes; telling it apart here keeps the
    // reason typed rather than read from the decoder's message.
    if (text.isBlank()) {
      throw new InvalidRecordException(RecordProblem.EMPTY_IMAGE, "image is empty");
    }
    try {
      return Base64Image.decode(text, maxImageBytes);
    } catch (IllegalArgumentException e) {
      throw new InvalidRecordException(RecordProblem.INVALID_BASE64, e.getMessage());
    }
  }

  private static String text(ObjectNode message, String field, int maxChars)
      throws InvalidRecordException {
    JsonNode node = message.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new InvalidRecordException(
          RecordProblem.WRONG_TYPE, field + " must be a string, got " + node.getNodeType());
    }
    if (node.asText().length() > maxChars) {
      throw new InvalidRecordException(
          RecordProblem.TEXT_TOO_LONG,
          field + " is " + node.asText().length() + " characters, over the limit of " + maxChars);
    }
    return node.asText();
  }
}
