package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.testing.Payloads;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The ingest contract of ARCHITECTURE.md: what passes, what is refused and with which reason. */
class IngestMessageParserTest {

  private final IngestMessageParser parser =
      new IngestMessageParser(1000, java.util.List.of("site", "notes"));

  private static SourceRecord record(String json) {
    return new SourceRecord(
        "lesion-images",
        0,
        7,
        "k".getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8));
  }

  /** The payload the parser built, as JSON for the assertions. */
  private static JsonNode payload(ImageToEmbed image) throws Exception {
    return Payloads.json(Struct.parseFrom(image.payload()).getFieldsMap());
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Test
  void aValidMessageKeepsItsMetadataAsPayloadWithoutTheImage() throws Exception {
    String json =
        "{\"image_id\": \"ISIC_0024329\", \"lesion_id\": \"HAM_0002730\", \"dx\": \"akiec\", \"dx_type\": \"histo\","
            + " \"age\": 75, \"sex\": \"female\", \"localization\": \"lower extremity\", \"site\": \"vienna\","
            + " \"image\": \""
            + b64(new byte[] {1, 2, 3})
            + "\"}";
    ImageToEmbed image = parser.parse(record(json));
    assertEquals("ISIC_0024329", image.imageId());
    assertArrayEquals(new byte[] {1, 2, 3}, image.image());
    JsonNode payload = payload(image);
    assertFalse(payload.has("image"));
    assertEquals(75, payload.get("age").asInt());
    assertTrue(payload.get("age").isIntegralNumber());
    assertEquals("vienna", payload.get("site").asText(), "a configured extra field is stored");
    assertEquals("ISIC_0024329", payload.get("image_id").asText());
  }

  @Test
  void onlyTheHam10000FieldsAndConfiguredExtrasAreStored() throws Exception {
    String json =
        "{\"image_id\": \"a\", \"dx\": \"nv\", \"site\": \"vienna\", \"password\": \"hunter2\","
            + " \"nested\": {\"x\": [1, 2]}, \"image\": \""
            + b64(new byte[] {1})
            + "\"}";
    JsonNode stored = payload(new IngestMessageParser(1000).parse(record(json)));
    assertEquals(java.util.Set.of("image_id", "dx"), fieldNames(stored));
    stored = payload(parser.parse(record(json)));
    assertEquals(java.util.Set.of("image_id", "dx", "site"), fieldNames(stored));
  }

  @Test
  void reservedAndHam10000NamesAreNoExtraFields() {
    for (String name :
        new String[] {
          "image", "image_uri", "thumbnail", "model_id", "ingested_at", "dx", "age", "image_id"
        }) {
      assertThrows(
          IllegalArgumentException.class,
          () -> new IngestMessageParser(1000, java.util.List.of(name)),
          name);
    }
  }

  @Test
  void hostileValuesAreRefusedWithoutBeingEchoed() {
    String img = "\"image\": \"" + b64(new byte[] {1}) + "\"";
    String secret = "s3cr3t-" + "v".repeat(5000);
    for (String json :
        new String[] {
          "{\"image_id\": {\"k\": \"" + secret + "\"}, " + img + "}",
          "{\"image_id\": \"a\", \"dx\": [\"" + secret + "\"], " + img + "}",
          "{\"image_id\": \"a\", \"age\": \"" + secret + "\", " + img + "}",
          "{\"image_id\": \"" + secret + "\", " + img + "}",
          "{\"image_id\": \"a\", \"dx\": \"" + secret + "\", " + img + "}"
        }) {
      InvalidRecordException e =
          assertThrows(InvalidRecordException.class, () -> parser.parse(record(json)));
      assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
      assertTrue(e.getMessage().length() < 200, e.getMessage());
    }
  }

  @Test
  void extraFieldsMustBeShallowAndFinite() {
    String img = "\"image\": \"" + b64(new byte[] {1}) + "\"";
    assertReason(
        "{\"image_id\": \"a\", \"site\": " + "[".repeat(9) + "1" + "]".repeat(9) + ", " + img + "}",
        RecordProblem.NESTED_TOO_DEEP,
        "site nests more than 8 levels deep");
    assertReason(
        "{\"image_id\": \"a\", \"site\": {\"v\": 1e999}, " + img + "}",
        RecordProblem.INVALID_VALUE,
        "site holds a number too large");
    assertReason(
        "{\"image_id\": \"a\", \"x\": " + "[".repeat(5000) + "]".repeat(5000) + ", " + img + "}",
        RecordProblem.NOT_JSON,
        "not valid JSON");
    assertReason(
        "{\"image_id\": \"a\", \"age\": 1e999, " + img + "}",
        RecordProblem.INVALID_VALUE,
        "age must be a number from 0 to 150");
    assertReason(
        "{\"image_id\": \"a\", \"age\": -3, " + img + "}",
        RecordProblem.INVALID_VALUE,
        "age must be a number from 0 to 150");
  }

  private static java.util.Set<String> fieldNames(JsonNode node) {
    java.util.Set<String> names = new java.util.HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aMissingOrNullAgeStaysMissing() throws Exception {
    for (String age : new String[] {"", "\"age\": null, "}) {
      ImageToEmbed image =
          parser.parse(
              record(
                  "{" + age + "\"image_id\": \"a\", \"image\": \"" + b64(new byte[] {9}) + "\"}"));
      assertFalse(payload(image).has("age"));
    }
  }

  @Test
  void base64MayBeLineWrappedButNotGarbled() throws Exception {
    byte[] bytes = new byte[200];
    new java.util.Random(3).nextBytes(bytes);
    String wrapped = Base64.getMimeEncoder().encodeToString(bytes);
    assertTrue(wrapped.contains("\r\n"));
    assertArrayEquals(
        bytes,
        parser
            .parse(
                record(
                    "{\"image_id\": \"a\", \"image\": \""
                        + wrapped.replace("\r\n", "\\r\\n")
                        + "\"}"))
            .image());
    assertReason(
        "{\"image_id\": \"a\", \"image\": \"%%%\"}",
        RecordProblem.INVALID_BASE64, "image is not valid base64");
    assertReason(
        "{\"image_id\": \"a\", \"image\": \"QUJD*REVG\"}",
        RecordProblem.INVALID_BASE64,
        "image is not valid base64");
  }

  @Test
  void imageUriStandsInForAnInlineImage() throws Exception {
    ImageToEmbed image =
        parser.parse(record("{\"image_id\": \"a\", \"image_uri\": \"file:///data/a.jpg\"}"));
    assertNull(image.image());
    assertEquals("file:///data/a.jpg", image.imageUri());
    assertFalse(payload(image).has("image_uri"), "where the file is is not the point's business");
  }

  @Test
  void contractBreachesAreRefusedWithTheirReason() {
    String img = "\"image\": \"" + b64(new byte[] {1}) + "\"";
    assertReason("", RecordProblem.EMPTY_MESSAGE, "empty message");
    assertReason("{oops", RecordProblem.NOT_JSON, "not valid JSON");
    assertReason("[1, 2]", RecordProblem.NOT_AN_OBJECT, "expected a JSON object");
    assertReason("{" + img + "}", RecordProblem.MISSING_FIELD, "image_id is missing");
    assertReason(
        "{\"image_id\": \"  \", " + img + "}", RecordProblem.MISSING_FIELD, "image_id is missing");
    assertReason(
        "{\"image_id\": 17, " + img + "}", RecordProblem.WRONG_TYPE, "image_id must be a string");
    assertReason(
        "{\"image_id\": \"a\"}",
        RecordProblem.NO_IMAGE,
        "neither image (base64) nor image_uri is given");
    assertReason(
        "{\"image_id\": \"a\", \"image\": \"not base64!!\"}",
        RecordProblem.INVALID_BASE64,
        "image is not valid base64");
    assertReason(
        "{\"image_id\": \"a\", \"image\": 5}",
        RecordProblem.WRONG_TYPE,
        "image must be a base64 string");
    assertReason(
        "{\"image_id\": \"a\", \"image\": \"\"}", RecordProblem.EMPTY_IMAGE, "image is empty");
    assertReason(
        "{\"image_id\": \"a\", \"image\": \" \\r\\n \"}",
        RecordProblem.EMPTY_IMAGE,
        "image is empty");
    assertReason(
        "{\"image_id\": \"a\", \"age\": \"75\", " + img + "}",
        RecordProblem.WRONG_TYPE,
        "age must be a number from 0 to 150 or null");
    assertReason(
        "{\"image_id\": \"a\", \"dx\": 3, " + img + "}",
        RecordProblem.WRONG_TYPE,
        "dx must be a string");
    assertReason(
        "{\"image_id\": \"a\", \"dx\": \"" + "x".repeat(300) + "\", " + img + "}",
        RecordProblem.TEXT_TOO_LONG,
        "dx is 300 characters, over the limit of 256");
    assertReason(
        "{\"image_id\": \"a\", \"image\": \"" + b64(new byte[2000]) + "\"}",
        RecordProblem.IMAGE_TOO_LARGE,
        "over the limit of 1000 bytes; send large images as image_uri");
    assertReason(
        "{\"image_id\": \"a\", \"notes\": \"" + "x".repeat(70_000) + "\", " + img + "}",
        RecordProblem.PAYLOAD_TOO_LARGE,
        "metadata is");
  }

  private void assertReason(String json, RecordProblem problem, String expected) {
    InvalidRecordException e =
        assertThrows(InvalidRecordException.class, () -> parser.parse(record(json)));
    assertEquals(problem, e.problem(), e.getMessage());
    assertTrue(
        e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
