package io.lesionsearch.produce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lesionsearch.cli.Main;
import io.lesionsearch.datasets.DatasetScan;
import io.lesionsearch.datasets.Ham10000Reader;
import io.lesionsearch.datasets.LesionImage;
import io.lesionsearch.ingest.ImageToEmbed;
import io.lesionsearch.ingest.IngestMessageParser;
import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.testing.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The producer against a real in-JVM broker; what arrives must pass the ingest job's own parser.
 */
class DatasetProducerITCase {

  private static final Path SAMPLE = Path.of("datasets/sample");
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();
  private static DatasetScan sample;

  @BeforeAll
  static void readSample() throws Exception {
    sample = Ham10000Reader.read(SAMPLE);
  }

  @Test
  void theSampleArrivesAsIngestMessagesTheIngestParserAccepts() throws Exception {
    KAFKA.get().createTopic("inline", 2);
    List<Long> progress = new ArrayList<>();
    DatasetProducer.Summary summary;
    try (DatasetProducer producer = DatasetProducer.connect(settings("inline"))) {
      summary = producer.produce(sample.images(), listener(progress, new ArrayList<>()));
    }
    assertEquals(60, summary.sent());
    assertEquals(
        60L, progress.get(progress.size() - 1), "the last progress line counts every message");

    List<ConsumerRecord<byte[], byte[]>> records = KAFKA.get().read("inline", 60, 30_000);
    assertEquals(60, records.size());
    IngestMessageParser parser =
        new IngestMessageParser(io.lesionsearch.image.ImageLimits.DEFAULT_MAX_BYTES);
    int missingAges = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      ImageToEmbed parsed =
          parser.parse(new SourceRecord(r.topic(), r.partition(), r.offset(), r.key(), r.value()));
      LesionImage source = byId(parsed.imageId());
      assertEquals(source.imageId(), new String(r.key(), StandardCharsets.UTF_8), "key = image_id");
      assertArrayEquals(
          Files.readAllBytes(source.file()),
          parsed.image(),
          "the image travels inline, byte for byte");
      JsonNode payload =
          io.lesionsearch.testing.Payloads.json(
              io.qdrant.client.grpc.JsonWithInt.Struct.parseFrom(parsed.payload()).getFieldsMap());
      assertEquals(
          source.dx().longName(), payload.get("dx").asText(), "dx is the Hugging Face long name");
      assertEquals(source.dx().code(), payload.get("dx_code").asText());
      assertEquals(source.lesionId(), payload.get("lesion_id").asText());
      assertEquals(source.localization(), payload.get("localization").asText());
      if (source.age().isEmpty()) {
        assertFalse(payload.has("age"), "a missing age stays missing, not 0: " + payload);
        missingAges++;
      } else {
        assertEquals(source.age().getAsInt(), payload.get("age").asInt());
      }
    }
    assertEquals(1, missingAges);
  }

  @Test
  void uriModeSendsTheFilesPathAndLoopingRunsToTheLimit() throws Exception {
    KAFKA.get().createTopic("uri", 1);
    try (DatasetProducer producer =
        DatasetProducer.connect(settings("uri").withInline(false).withLoop(true).withLimit(75))) {
      assertEquals(
          75,
          producer.produce(sample.images(), listener(new ArrayList<>(), new ArrayList<>())).sent());
    }
    List<ConsumerRecord<byte[], byte[]>> records = KAFKA.get().read("uri", 75, 30_000);
    assertEquals(75, records.size());
    IngestMessageParser parser = new IngestMessageParser(1024);
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      ImageToEmbed parsed =
          parser.parse(new SourceRecord(r.topic(), r.partition(), r.offset(), r.key(), r.value()));
      LesionImage expected = sample.images().get(i % 60);
      assertEquals(
          expected.imageId(), parsed.imageId(), "in dataset order, starting over after 60");
      assertNull(parsed.image());
      assertEquals(expected.file().toAbsolutePath().toString(), parsed.imageUri());
      assertTrue(Path.of(parsed.imageUri()).isAbsolute());
    }
  }

  @Test
  void anUnreadableImageIsReportedAndTheRestSent() throws Exception {
    KAFKA.get().createTopic("gone", 1);
    LesionImage first = sample.images().get(0);
    LesionImage gone =
        new LesionImage(
            "GONE_1",
            null,
            first.dx(),
            null,
            first.age(),
            null,
            null,
            Map.of(),
            Path.of("/nonexistent/GONE_1.jpg"));
    List<String> skipped = new ArrayList<>();
    DatasetProducer.Summary summary;
    try (DatasetProducer producer = DatasetProducer.connect(settings("gone"))) {
      summary =
          producer.produce(
              List.of(first, gone, sample.images().get(1)), listener(new ArrayList<>(), skipped));
    }
    assertEquals(2, summary.sent());
    assertEquals(1, summary.skipped());
    assertEquals(1, skipped.size());
    assertTrue(
        skipped.get(0).startsWith("GONE_1: cannot read /nonexistent/GONE_1.jpg"), skipped.get(0));
  }

  @Test
  void aMissingTopicAndAnUnreachableBrokerAreClearErrors() throws Exception {
    ProduceException missing =
        assertThrows(
            ProduceException.class, () -> DatasetProducer.connect(settings("no-such-topic")));
    assertTrue(
        missing
            .getMessage()
            .contains(
                "topic 'no-such-topic' does not exist on Kafka at "
                    + KAFKA.get().bootstrapServers()),
        missing.getMessage());

    String closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = "127.0.0.1:" + socket.getLocalPort();
    }
    ProduceException unreachable =
        assertThrows(
            ProduceException.class,
            () ->
                DatasetProducer.connect(
                    DatasetProducer.Settings.of(closed, "t")
                        .withConnectTimeout(Duration.ofSeconds(2))));
    assertTrue(
        unreachable.getMessage().startsWith("Kafka at " + closed + " is unreachable"),
        unreachable.getMessage());
  }

  @Test
  void theProduceCommandSendsTheSampleAndReportsProgress() throws Exception {
    KAFKA.get().createTopic("lesion-images-cli", 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int exit =
        cmd.execute(
            "produce",
            "--dataset",
            SAMPLE.toString(),
            "--bootstrap-servers",
            KAFKA.get().bootstrapServers(),
            "--topic",
            "lesion-images-cli",
            "--limit",
            "10",
            "--uri");
    String stdout = out.toString(StandardCharsets.UTF_8);
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, stderr);
    assertTrue(
        stdout.startsWith(
            "sent 10 images to lesion-images-cli at " + KAFKA.get().bootstrapServers()),
        stdout);
    assertTrue(stderr.contains("produce: 10 images sent ("), stderr);
    assertEquals(10, KAFKA.get().read("lesion-images-cli", 10, 30_000).size());
  }

  private static DatasetProducer.Settings settings(String topic) {
    return DatasetProducer.Settings.of(KAFKA.get().bootstrapServers(), topic)
        .withConnectTimeout(Duration.ofSeconds(10));
  }

  private static LesionImage byId(String imageId) {
    return sample.images().stream()
        .filter(i -> i.imageId().equals(imageId))
        .findFirst()
        .orElseThrow();
  }

  private static DatasetProducer.Listener listener(List<Long> progress, List<String> skipped) {
    return new DatasetProducer.Listener() {
      @Override
      public void progress(long sent, double imagesPerSecond) {
        progress.add(sent);
      }

      @Override
      public void skipped(LesionImage image, String why) {
        skipped.add(image.imageId() + ": " + why);
      }
    };
  }
}
