package io.lesionsearch.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/**
 * Dead letters as records: the original untouched, bounded reasons, and the stub for one too large.
 */
class DeadLetterSerializerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final DeadLetterSerializer serializer = new DeadLetterSerializer("dlq");

  /** A stage's typed reasons, as ingest's RecordProblem or an image's decode Reason are. */
  private enum Why {
    NOT_JSON,
    TOO_LARGE
  }

  @Test
  void aDeadLetterCarriesTheOriginalBytesAndABoundedReason() {
    byte[] value = "{\"image_id\": \"a\"}".getBytes(StandardCharsets.UTF_8);
    String echo = "x".repeat(1_000_000);
    DeadLetter letter =
        DeadLetter.of(
            new SourceRecord("in", 3, 42, "a".getBytes(StandardCharsets.UTF_8), value),
            "parse",
            Why.NOT_JSON,
            "some.Error",
            "bad value: " + echo);
    ProducerRecord<byte[], byte[]> record = serializer.record(letter);
    assertArrayEquals(value, record.value());
    assertEquals("in", header(record, DeadLetterSerializer.SOURCE_TOPIC));
    assertEquals("42", header(record, DeadLetterSerializer.SOURCE_OFFSET));
    assertEquals("parse", header(record, DeadLetterSerializer.STAGE));
    assertEquals(
        "NOT_JSON",
        header(record, DeadLetterSerializer.REASON),
        "the typed reason, by its constant's name");
    assertEquals("some.Error", header(record, DeadLetterSerializer.ERROR_CLASS));
    String message = header(record, DeadLetterSerializer.ERROR_MESSAGE);
    assertTrue(
        message.startsWith("bad value: xxx") && message.length() < 400,
        message.length() + " characters");
  }

  @Test
  void aStubStandsInForALetterTheTopicRefusedAndSaysWhereTheOriginalIs() throws Exception {
    byte[] value = new byte[5_000_000];
    ProducerRecord<byte[], byte[]> original =
        serializer.record(
            DeadLetter.of(
                new SourceRecord("in", 1, 7, "ISIC_1".getBytes(StandardCharsets.UTF_8), value),
                "embed",
                Why.TOO_LARGE,
                "E",
                "why"));
    ProducerRecord<byte[], byte[]> stub =
        serializer.standIn(original, new RecordTooLargeException("5000123 bytes"));

    assertEquals("dlq", stub.topic());
    assertArrayEquals("ISIC_1".getBytes(StandardCharsets.UTF_8), stub.key(), "a small key is kept");
    assertEquals("true", header(stub, DeadLetterSerializer.STUB));
    assertEquals("5000000", header(stub, DeadLetterSerializer.ORIGINAL_VALUE_BYTES));
    assertEquals(
        "why", header(stub, DeadLetterSerializer.ERROR_MESSAGE), "the original reason stays");
    assertEquals("embed", header(stub, DeadLetterSerializer.STAGE));
    assertEquals(
        "TOO_LARGE", header(stub, DeadLetterSerializer.REASON), "and so does its typed reason");
    assertEquals("7", header(stub, DeadLetterSerializer.SOURCE_OFFSET));
    assertTrue(header(stub, DeadLetterSerializer.STUB_REASON).contains("RecordTooLargeException"));
    JsonNode json = JSON.readTree(stub.value());
    assertEquals(7, json.at("/source/offset").asLong());
    assertEquals("in", json.at("/source/topic").asText());
    assertTrue(stub.value().length < 2000, stub.value().length + " bytes");
  }

  @Test
  void aStubDropsALargeKey() {
    byte[] key = new byte[DeadLetterSerializer.MAX_STUB_KEY_BYTES + 1];
    ProducerRecord<byte[], byte[]> original =
        serializer.record(
            DeadLetter.of(
                new SourceRecord("in", 0, 1, key, new byte[10]),
                "parse",
                Why.NOT_JSON,
                "E",
                "why"));
    ProducerRecord<byte[], byte[]> stub =
        serializer.standIn(original, new RecordTooLargeException("big"));
    assertNull(stub.key());
    assertEquals(
        Integer.toString(key.length), header(stub, DeadLetterSerializer.ORIGINAL_KEY_BYTES));
  }

  @Test
  void aDeadLetterOfAnExceptionNamesItsClassAndMessage() {
    DeadLetter letter =
        DeadLetter.of(
            new SourceRecord("in", 0, 1, null, new byte[1]),
            "embed",
            Why.TOO_LARGE,
            new IllegalStateException("x".repeat(10_000)));
    assertEquals("TOO_LARGE", letter.reason());
    assertEquals(IllegalStateException.class.getName(), letter.errorClass());
    assertTrue(letter.message().length() < 400, letter.message().length() + " characters");
    assertEquals(
        "NullPointerException",
        DeadLetter.of(letter.source(), "embed", Why.TOO_LARGE, new NullPointerException())
            .message(),
        "an exception without a message is named by its class");
  }

  private static String header(ProducerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
