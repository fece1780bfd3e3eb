package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.config.KafkaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options as arguments or from a properties file; anything unknown or invalid stops the start. */
class IngestOptionsTest {

  @TempDir Path tmp;

  @Test
  void defaultsAreTheLocalOnes() {
    IngestConfig o = IngestOptions.parse("--model", "/models/m");
    assertEquals("localhost:9092", o.kafka().bootstrapServers());
    assertEquals("lesion-images", o.topic());
    assertEquals("lesion-images-dlq", o.deadLetterTopic());
    assertEquals(KafkaConfig.StartingOffsets.COMMITTED, o.kafka().startingOffsets());
    assertEquals(6334, o.qdrant().port());
    assertEquals(16, o.batchSize());
    assertEquals(1000, o.upsertBatchSize());
    assertEquals(10_000, o.flink().checkpointIntervalMs());
  }

  @Test
  void aPropertiesFileSetsOptionsAndKafkaClientSettingsAndArgumentsWin() throws Exception {
    Path file =
        Files.writeString(
            tmp.resolve("ingest.properties"),
            String.join(
                "\n",
                "bootstrap-servers=kafka-1:9093",
                "topic=feed",
                "batch-size=8",
                "starting-offsets=earliest",
                "kafka.security.protocol=SASL_SSL",
                "kafka.sasl.mechanism=PLAIN",
                "model=/models/from-file"));
    IngestConfig o =
        IngestOptions.parse(
            "--config",
            file.toString(),
            "--topic",
            "from-args",
            "--kafka-property",
            "sasl.mechanism=SCRAM-SHA-512");
    assertEquals("kafka-1:9093", o.kafka().bootstrapServers());
    assertEquals("from-args", o.topic(), "the command line wins over the file");
    assertEquals(8, o.batchSize());
    assertEquals(KafkaConfig.StartingOffsets.EARLIEST, o.kafka().startingOffsets());
    assertEquals("/models/from-file", o.model());
    assertEquals(
        Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"),
        o.kafka().properties());
  }

  @Test
  void unknownSettingsInTheFileStopTheStart() throws Exception {
    Path file =
        Files.writeString(tmp.resolve("bad.properties"), "model=/m\nbatchsize=8\ntopik=x\n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> IngestOptions.parse("--config", file.toString()));
    assertTrue(
        e.getMessage().contains("unknown setting(s)")
            && e.getMessage().contains("batchsize, topik"),
        e.getMessage());
  }

  @Test
  void invalidValuesStopTheStartNamingTheOption() {
    assertMessage(
        IllegalArgumentException.class,
        "--batch-size must be 1..1024",
        "--model",
        "m",
        "--batch-size",
        "0");
    assertMessage(
        IllegalArgumentException.class,
        "--upsert-batch-size must be 1..10000",
        "--model",
        "m",
        "--upsert-batch-size",
        "20000");
    assertMessage(
        IllegalArgumentException.class,
        "--dead-letter-topic must differ",
        "--model",
        "m",
        "--dead-letter-topic",
        "lesion-images");
    assertMessage(
        IllegalArgumentException.class,
        "--starting-offsets",
        "--model",
        "m",
        "--starting-offsets",
        "yesterday");
    assertMessage(
        IllegalArgumentException.class, "--qdrant-port", "--model", "m", "--qdrant-port", "http");
    assertMessage(
        IllegalArgumentException.class, "'--colection'", "--model", "m", "--colection", "x");
    assertMessage(IllegalArgumentException.class, "--model is required", "--topic", "t");
  }

  private static void assertMessage(
      Class<? extends Exception> type, String expected, String... args) {
    Exception e = assertThrows(type, () -> IngestOptions.parse(args));
    assertTrue(
        e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
