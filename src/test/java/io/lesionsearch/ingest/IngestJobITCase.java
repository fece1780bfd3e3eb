package io.lesionsearch.ingest;

import static io.lesionsearch.ingest.IngestFixture.count;
import static io.lesionsearch.ingest.IngestFixture.message;
import static io.lesionsearch.ingest.IngestFixture.send;
import static io.lesionsearch.ingest.IngestFixture.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.kafka.DeadLetterSerializer;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.testing.Flink;
import io.lesionsearch.testing.TestData;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ingest job end to end: a real KRaft broker, the real Flink runtime, the Qdrant-compatible
 * endpoint.
 */
class IngestJobITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  @RegisterExtension static final IngestFixture FIXTURE = new IngestFixture();

  private static final String[] DX = {"akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"};

  @Test
  void indexesEveryGoodImageOnceWithItsLatestMetadataAndDeadLettersTheRest() throws Exception {
    String topic = "images-e2e";
    String dlq = topic + "-dlq";
    FIXTURE.topics(topic, 2);
    EmbeddedKafka kafka = FIXTURE.kafka();

    int unique = 24;
    Map<String, byte[]> jpegs = new HashMap<>();
    Map<String, String> latestDx = new HashMap<>();
    Map<String, byte[]> bad = new LinkedHashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      for (int i = 0; i < unique; i++) {
        String id = "ISIC_" + (1000 + i);
        jpegs.put(id, SyntheticLesionImages.jpeg(i, 160, 120, 0.9f));
        send(
            producer,
            topic,
            id,
            message(id, DX[i % DX.length], i % 5 == 0 ? null : 30 + i, jpegs.get(id)));
        latestDx.put(id, DX[i % DX.length]);
      }
      for (int i = 0; i < unique; i += 4) { // repeats with new metadata: the latest must win
        String id = "ISIC_" + (1000 + i);
        send(producer, topic, id, message(id, "mel", 50, jpegs.get(id)));
        latestDx.put(id, "mel");
      }
      bad.put("not-json", "{this is not json".getBytes(StandardCharsets.UTF_8));
      bad.put("no-id", "{\"dx\": \"nv\", \"image\": \"AAAA\"}".getBytes(StandardCharsets.UTF_8));
      bad.put(
          "bad-base64",
          "{\"image_id\": \"x1\", \"image\": \"%%%\"}".getBytes(StandardCharsets.UTF_8));
      bad.put(
          "not-an-image", message("x2", "nv", 40, "plain text".getBytes(StandardCharsets.UTF_8)));
      byte[] bigJunk = new byte[1_500_000]; // the dead letter is larger than Kafka's 1 MB default
      new java.util.Random(5).nextBytes(bigJunk);
      bad.put("big-not-an-image", message("x4", "nv", 40, bigJunk));
      bad.put(
          "missing-uri",
          "{\"image_id\": \"x3\", \"image_uri\": \"/nonexistent/x3.jpg\"}"
              .getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, byte[]> e : bad.entrySet()) {
        producer
            .send(
                new ProducerRecord<>(
                    topic, e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue()))
            .get();
      }
    }

    String collection = FIXTURE.collection("e2e");
    IngestConfig options = FIXTURE.options(topic, collection);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IngestJob.build(env, options);
    JobClient job = env.executeAsync(IngestJob.NAME);
    List<ConsumerRecord<byte[], byte[]>> deadLetters;
    try (QdrantClient client = FIXTURE.newClient()) {
      waitFor(
          () -> count(client, collection) == unique, 90_000, "all " + unique + " points in Qdrant");
      deadLetters = kafka.read(dlq, bad.size(), 60_000);
      // Once every record is behind a completed checkpoint nothing more can arrive: duplicates
      // added no points.
      waitFor(
          () -> FIXTURE.everythingCommitted(topic),
          60_000,
          "every record behind a completed checkpoint");
      assertEquals(unique, count(client, collection));

      List<RetrievedPoint> points =
          client
              .scrollAsync(
                  ScrollPoints.newBuilder()
                      .setCollectionName(collection)
                      .setLimit(100)
                      .setWithPayload(WithPayloadSelectorFactory.enable(true))
                      .setWithVectors(WithVectorsSelectorFactory.enable(true))
                      .build())
              .get()
              .getResultList();
      try (VitEncoder encoder = VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu())) {
        for (RetrievedPoint p : points) {
          String id = p.getPayloadMap().get("image_id").getStringValue();
          assertEquals(PointIds.forImageId(id).toString(), p.getId().getUuid());
          assertEquals(latestDx.get(id), p.getPayloadMap().get("dx").getStringValue(), id);
          assertEquals(
              "random/vit-s16-depth1-seed42", p.getPayloadMap().get("model_id").getStringValue());
          int n = Integer.parseInt(id.substring(5)) - 1000;
          boolean repeated = n % 4 == 0;
          assertEquals(
              !repeated && n % 5 == 0,
              !p.getPayloadMap().containsKey("age"),
              id + ": a missing age stays missing");
          float[] expected =
              unit(
                  encoder
                      .embed(
                          List.of(
                              new VitPreprocessor(encoder.manifest()).preprocess(jpegs.get(id))))
                      .get(0));
          List<Float> stored = p.getVectors().getVector().getDense().getDataList();
          for (int i = 0; i < expected.length; i++) {
            assertEquals(
                expected[i],
                stored.get(i),
                1e-4f,
                id + " vector differs from the encoder's at " + i);
          }
        }
      }
    } finally {
      job.cancel().get();
    }

    assertEquals(bad.size(), deadLetters.size(), "one dead letter per bad record");
    // Stage and typed reason: what a consumer of the dead-letter topic branches on.
    Map<String, String> why =
        Map.of(
            "not-json",
            "parse NOT_JSON",
            "no-id",
            "parse MISSING_FIELD",
            "bad-base64",
            "parse INVALID_BASE64",
            "not-an-image",
            "embed NOT_AN_IMAGE",
            "big-not-an-image",
            "embed NOT_AN_IMAGE",
            "missing-uri",
            "embed UNREADABLE");
    for (ConsumerRecord<byte[], byte[]> letter : deadLetters) {
      String key = new String(letter.key(), StandardCharsets.UTF_8);
      assertArrayEquals(bad.get(key), letter.value(), key + ": the original value, untouched");
      assertEquals(topic, header(letter, DeadLetterSerializer.SOURCE_TOPIC));
      assertTrue(Long.parseLong(header(letter, DeadLetterSerializer.SOURCE_OFFSET)) >= 0);
      assertTrue(header(letter, DeadLetterSerializer.SOURCE_PARTITION).matches("[01]"));
      String stage = header(letter, DeadLetterSerializer.STAGE);
      String message = header(letter, DeadLetterSerializer.ERROR_MESSAGE);
      assertEquals(
          why.get(key),
          stage + " " + header(letter, DeadLetterSerializer.REASON),
          key + ": " + message);
      switch (key) {
        case "not-json" ->
            assertTrue(stage.equals("parse") && message.startsWith("not valid JSON"), message);
        case "no-id" ->
            assertTrue(stage.equals("parse") && message.equals("image_id is missing"), message);
        case "bad-base64" ->
            assertTrue(stage.equals("parse") && message.contains("base64"), message);
        case "not-an-image" ->
            assertTrue(stage.equals("embed") && message.contains("not an image"), message);
        case "big-not-an-image" ->
            assertTrue(stage.equals("embed") && letter.value().length > 2_000_000, message);
        case "missing-uri" ->
            assertTrue(stage.equals("embed") && message.startsWith("image_uri is off"), message);
        default -> throw new AssertionError("unexpected dead letter " + key);
      }
    }
  }

  @Test
  void aPartialBatchIsEmbeddedAfterTheMaxDelayWithoutWaitingForACheckpoint() throws Exception {
    // Checkpointing off: only the operator's own timer can release a batch of 3 < 16.
    long ms =
        millisToIndexThreeImages(
            "trickle", "--checkpoint-interval-ms", "0", "--batch-max-delay-ms", "300");
    assertTrue(ms < 15_000, "released by the timer, not by anything slower: " + ms + " ms");
  }

  @Test
  void withoutCheckpointsTheConsumerGroupStillCommitsItsOffsets() throws Exception {
    String topic = "images-autocommit";
    FIXTURE.topics(topic, 1);
    String collection = FIXTURE.collection("autocommit");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IngestJob.build(
        env,
        FIXTURE.options(topic, collection, "--checkpoint-interval-ms", "0", "--parallelism", "1"));
    JobClient job = env.executeAsync("autocommit");
    try (KafkaProducer<byte[], byte[]> producer = FIXTURE.kafka().producer();
        QdrantClient client = FIXTURE.newClient();
        Admin admin =
            Admin.create(Map.of("bootstrap.servers", FIXTURE.kafka().bootstrapServers()))) {
      for (int i = 0; i < 3; i++) {
        send(
            producer,
            topic,
            "AC_" + i,
            message("AC_" + i, "df", 33, SyntheticLesionImages.jpeg(950 + i, 120, 90, 0.9f)));
      }
      waitFor(() -> count(client, collection) == 3, 60_000, "3 points");
      // Kafka's auto commit (every 5 s) stands in for Flink's commit on checkpoints: a restarted
      // job goes on from here instead of from the earliest record.
      waitFor(
          () -> committed(admin, "ingest-" + topic, new TopicPartition(topic, 0)) == 3,
          30_000,
          "the group's offset at 3");
    } finally {
      job.cancel().get();
    }
  }

  private static long committed(Admin admin, String group, TopicPartition partition) {
    try {
      OffsetAndMetadata offset =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get()
              .get(partition);
      return offset == null ? -1 : offset.offset();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void aPartialBatchIsEmbeddedBeforeEachCheckpointBarrier() throws Exception {
    // The operator's timer is 10 minutes away: only the flush before a checkpoint barrier can
    // release these 3 images within the test's time.
    millisToIndexThreeImages(
        "barrier", "--checkpoint-interval-ms", "500", "--batch-max-delay-ms", "600000");
  }

  /**
   * Runs the job with {@code args}, sends 3 images (a partial batch) and waits for their points.
   */
  private static long millisToIndexThreeImages(String name, String... args) throws Exception {
    String topic = "images-" + name;
    FIXTURE.topics(topic, 1);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    String[] options = java.util.Arrays.copyOf(args, args.length + 2);
    options[args.length] = "--parallelism";
    options[args.length + 1] = "1";
    String collection = FIXTURE.collection(name);
    IngestJob.build(env, FIXTURE.options(topic, collection, options));
    JobClient job = env.executeAsync(name);
    try (KafkaProducer<byte[], byte[]> producer = FIXTURE.kafka().producer();
        QdrantClient client = FIXTURE.newClient()) {
      waitFor(() -> count(client, collection) == 0, 60_000, "the job to create its collection");
      for (int i = 0; i < 3; i++) {
        String id = name + "-" + i;
        send(
            producer,
            topic,
            id,
            message(id, "df", 33, SyntheticLesionImages.jpeg(900 + i, 120, 90, 0.9f)));
      }
      long sent = System.currentTimeMillis();
      waitFor(
          () -> count(client, collection) == 3,
          30_000,
          "3 points of a partial batch (" + name + ")");
      return System.currentTimeMillis() - sent;
    } finally {
      job.cancel().get();
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header h = record.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static float[] unit(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float[] u = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      u[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return u;
  }
}
