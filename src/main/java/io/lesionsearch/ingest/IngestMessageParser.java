package io.lesionsearch.ingest;

import io.lesionsearch.image.Base64Image;
import io.lesionsearch.kafka.SourceRecord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;

/**
 * Checks an ingest message against the contract in ARCHITECTURE.md and turns it into an image to
 * embed plus the point's payload (every metadata field, minus the image itself). Metadata fields
 * of the HAM10000 schema are type-checked; other fields pass through as they are.
 */
public final class IngestMessageParser implements Serializable {

  /** Inline images larger than this must come as image_uri; Kafka's own default message limit is 1 MB. */
  public static final int DEFAULT_MAX_IMAGE_BYTES = 16 * 1024 * 1024;

  /** Metadata travels as the point's payload; far below the sink's 1 MiB per point, far above HAM10000's. */
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] TEXT_FIELDS = {"lesion_id", "dx", "dx_type", "sex", "localization"};

  private final int maxImageBytes;

  public IngestMessageParser(int maxImageBytes) {
    if (maxImageBytes < 1) {
      throw new IllegalArgumentException("max image bytes must be positive, got " + maxImageBytes);
    }
    this.maxImageBytes = maxImageBytes;
  }

  public ImageToEmbed parse(SourceRecord record) throws InvalidRecordException {
    if (record.value() == null || record.value().length == 0) {
      throw new InvalidRecordException("empty message (no value)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(record.value());
    } catch (JsonProcessingException e) {
      throw new InvalidRecordException("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidRecordException("unreadable message: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidRecordException("expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType()));
    }
    ObjectNode message = (ObjectNode) root;
    String imageId = requiredText(message, "image_id");
    for (String field : TEXT_FIELDS) {
      optionalText(message, field);
    }
    JsonNode age = message.get("age");
    if (age != null && !age.isNull() && !age.isNumber()) {
      throw new InvalidRecordException("age must be a number or null, got " + age.getNodeType() + " " + age);
    }

    byte[] image = null;
    String imageUri = optionalText(message, "image_uri");
    JsonNode inline = message.get("image");
    if (inline != null && !inline.isNull()) {
      if (!inline.isTextual()) {
        throw new InvalidRecordException("image must be a base64 string, got " + inline.getNodeType());
      }
      image = decodeBase64(inline.asText());
    } else if (imageUri == null) {
      throw new InvalidRecordException("neither image (base64) nor image_uri is given");
    }

    ObjectNode payload = message.deepCopy();
    payload.remove("image");
    if (age != null && age.isNull()) {
      payload.remove("age"); // a missing age stays missing rather than becoming null or 0
    }
    byte[] payloadJson;
    try {
      payloadJson = JSON.writeValueAsBytes(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("re-serialising a parsed JSON object cannot fail", e);
    }
    if (payloadJson.length > MAX_PAYLOAD_BYTES) {
      throw new InvalidRecordException(
          "metadata is " + payloadJson.length + " bytes, over the limit of " + MAX_PAYLOAD_BYTES + " bytes");
    }
    return new ImageToEmbed(record, imageId, image, image == null ? imageUri : null, payloadJson);
  }

  private byte[] decodeBase64(String text) throws InvalidRecordException {
    try {
      return Base64Image.decode(text, maxImageBytes);
    } catch (IllegalArgumentException e) {
      boolean tooLarge = e.getMessage().contains("over the limit");
      throw new InvalidRecordException(e.getMessage() + (tooLarge ? "; send large images as image_uri" : ""));
    }
  }

  private static String requiredText(ObjectNode message, String field) throws InvalidRecordException {
    String value = optionalText(message, field);
    if (value == null || value.isBlank()) {
      throw new InvalidRecordException(field + " is missing");
    }
    return value;
  }

  private static String optionalText(ObjectNode message, String field) throws InvalidRecordException {
    JsonNode node = message.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new InvalidRecordException(field + " must be a string, got " + node.getNodeType() + " " + node);
    }
    return node.asText();
  }
}
