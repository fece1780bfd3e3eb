package io.lesionsearch.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.ingest.IngestConfig;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.query.QueryConfig;
import io.lesionsearch.query.QueryOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/**
 * What the jobs are handed: immutable, Serializable records that keep secrets out of their text.
 */
class ConfigRecordsTest {

  @Test
  void bothJobsConfigurationsSurviveJavaSerialization() throws Exception {
    IngestConfig ingest =
        IngestOptions.parse(
            "--model", "m", "--payload-field", "clinic", "--kafka-property", "acks=all");
    QueryConfig query = QueryOptions.parse("--model", "m", "--parallelism", "3");
    assertEquals(ingest, roundTrip(ingest));
    assertEquals(query, roundTrip(query));
  }

  @Test
  void listsAndMapsCannotBeChangedAfterTheCheck() {
    IngestConfig ingest =
        IngestOptions.parse(
            "--model", "m", "--payload-field", "clinic", "--kafka-property", "acks=all");
    assertThrows(UnsupportedOperationException.class, () -> ingest.payloadFields().add("image_id"));
    assertThrows(
        UnsupportedOperationException.class, () -> ingest.kafka().properties().put("acks", "0"));
  }

  @Test
  void theQdrantKeyAndKafkaSettingValuesStayOutOfTheText() {
    QueryConfig query =
        QueryOptions.parse(
            "--model",
            "m",
            "--qdrant-api-key",
            "s3cret-key",
            "--kafka-property",
            "sasl.jaas.config=password=\"hunter2\"");
    String text = query.toString();
    assertFalse(text.contains("s3cret-key"), text);
    assertFalse(text.contains("hunter2"), text);
    assertTrue(text.contains("sasl.jaas.config") && text.contains("apiKey=***"), text);
    assertTrue(query.qdrant().connection().hasApiKey(), "the key is still used");
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
