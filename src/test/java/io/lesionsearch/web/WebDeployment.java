package io.lesionsearch.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.ingest.IngestJob;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.query.QueryJob;
import io.lesionsearch.query.QueryOptions;
import io.lesionsearch.query.SearchClient;
import io.lesionsearch.testing.QdrantUnderTest;
import io.lesionsearch.testing.TestData;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A whole deployment in the test JVM, as the page meets it anywhere: a real Kafka broker, the local
 * Qdrant endpoint, the real ingest job (thumbnails on) that indexes the shipped test images through
 * Kafka, and the real query job answering on its default topics. Register after the MiniCluster.
 */
final class WebDeployment implements BeforeAllCallback, AfterAllCallback {

  private String collection;
  static final String REQUESTS = "lesion-search-requests";
  static final String REPLIES = "lesion-search-results";

  /**
   * Indexed with a copy of another point's vector and no thumbnail: its card shows the placeholder.
   */
  static final String NO_THUMBNAIL_ID = "web-no-thumbnail";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] IMAGES = {
    "lesion-600x450.jpg", "lesion-444.jpg", "lesion-cmyk.jpg", "lesion-grey.jpg",
        "lesion-progressive.jpg",
    "lesion-tall-200x500.jpg", "lesion-rgb.png", "lesion-rgba.png", "lesion-palette.png",
        "lesion-grey.png",
    "lesion-la.png", "lesion-small-150x100.png", "lesion-rgb16.png", "lesion-grey16.png"
  };
  private static final String[] DX = {
    "melanoma",
    "melanocytic_Nevi",
    "basal_cell_carcinoma",
    "actinic_keratoses",
    "benign_keratosis-like_lesions",
    "dermatofibroma",
    "vascular_lesions"
  };
  private static final String[] SITES = {"back", "face", "lower extremity", "trunk", "scalp"};

  private EmbeddedKafka kafka;
  private QdrantUnderTest qdrant;
  private JobClient ingest;
  private JobClient query;
  private SearchClient client;

  /** image_id to its metadata as indexed (no age where none was sent). */
  private final Map<String, ObjectNode> indexed = new LinkedHashMap<>();

  private String[] withQdrant(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(qdrant.jobArgs());
    return all.toArray(String[]::new);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kafka = new EmbeddedKafka();
    qdrant = QdrantUnderTest.start();
    collection = qdrant.collection("web-lesions");
    Map<String, String> large =
        Map.of("max.message.bytes", Integer.toString(EmbeddedKafka.MAX_MESSAGE_BYTES));
    for (String topic :
        List.of("web-images", "web-images-dlq", REQUESTS, REPLIES, REQUESTS + "-dlq")) {
      kafka.createTopic(topic, 1, large);
    }
    String model = TestData.model("vit-s16-d1/bf16").toString();

    StreamExecutionEnvironment ingestEnv = StreamExecutionEnvironment.getExecutionEnvironment();
    IngestJob.build(
        ingestEnv,
        IngestOptions.parse(
            withQdrant(
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic",
                "web-images",
                "--dead-letter-topic",
                "web-images-dlq",
                "--collection",
                collection,
                "--model",
                model,
                "--parallelism",
                "1",
                "--thumbnail-size",
                "128",
                "--checkpoint-interval-ms",
                "1000",
                "--batch-max-delay-ms",
                "100",
                "--upsert-max-delay-ms",
                "100")));
    ingest = ingestEnv.executeAsync("web test ingest");
    StreamExecutionEnvironment queryEnv = StreamExecutionEnvironment.getExecutionEnvironment();
    QueryJob.build(
        queryEnv,
        QueryOptions.parse(
            withQdrant(
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--collection",
                collection,
                "--model",
                model,
                "--parallelism",
                "1")));
    query = queryEnv.executeAsync("web test query");

    try (var producer = kafka.producer()) {
      for (int i = 0; i < IMAGES.length; i++) {
        ObjectNode m =
            JSON.createObjectNode()
                .put("image_id", imageId(IMAGES[i]))
                // Two photos of each lesion (and a third of one, the copy without a thumbnail),
                // as HAM10000 has several of many: the page shows one card per lesion.
                .put("lesion_id", "HAM_" + (i / 2))
                .put("dx", DX[i % DX.length])
                .put("dx_type", "histo")
                .put("sex", i % 2 == 0 ? "female" : "male")
                .put("localization", SITES[i % SITES.length]);
        if (i != 3) { // one patient without a recorded age
          m.put("age", 25 + 4 * i);
        }
        indexed.put(m.get("image_id").asText(), m.deepCopy());
        m.put("image", Base64.getEncoder().encodeToString(TestData.imageBytes(IMAGES[i])));
        producer
            .send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(
                    "web-images",
                    m.get("image_id").asText().getBytes(StandardCharsets.UTF_8),
                    JSON.writeValueAsBytes(m)))
            .get();
      }
    }
    try (QdrantClient qc = qdrant.connection().open()) {
      try {
        waitFor(
            () -> count(qc) == IMAGES.length,
            120_000,
            "the ingest job to index " + IMAGES.length + " images");
      } catch (AssertionError e) {
        var letters = kafka.read("web-images-dlq", 1, 2000);
        throw new AssertionError(
            e.getMessage()
                + "; points: "
                + count(qc)
                + "; dead letters: "
                + letters.stream()
                    .map(
                        r ->
                            new String(
                                r.headers().lastHeader("dlq.error.message").value(),
                                StandardCharsets.UTF_8))
                    .toList(),
            e);
      }
      addPointWithoutThumbnail(qc);
    }
    client = new SearchClient(kafka.bootstrapServers(), REQUESTS, REPLIES, Map.of());
    // The first reply waits for the query job to start and load its model; later ones are quick.
    JsonNode warm =
        client
            .search(
                JSON.createObjectNode()
                    .set(
                        "query",
                        JSON.createObjectNode().put("image_id", imageId("lesion-444.jpg"))),
                Duration.ofSeconds(90))
            .get();
    if (!"ok".equals(warm.path("status").asText())) {
      throw new IllegalStateException("the query job answered a warm-up search with " + warm);
    }
  }

  /**
   * A twin of one indexed point, as a deployment ingested without --thumbnail-size would hold it.
   */
  private void addPointWithoutThumbnail(QdrantClient qc) throws Exception {
    RetrievedPoint source =
        qc.scrollAsync(
                ScrollPoints.newBuilder()
                    .setCollectionName(collection)
                    .setLimit(1)
                    .setWithPayload(WithPayloadSelectorFactory.enable(true))
                    .setWithVectors(WithVectorsSelectorFactory.enable(true))
                    .build())
            .get()
            .getResult(0);
    String sourceId = source.getPayloadMap().get("image_id").getStringValue();
    ObjectNode meta = indexed.get(sourceId).deepCopy().put("image_id", NO_THUMBNAIL_ID);
    Map<String, Value> payload = new HashMap<>();
    meta.fields()
        .forEachRemaining(
            e ->
                payload.put(
                    e.getKey(),
                    e.getValue().isNumber()
                        ? ValueFactory.value(e.getValue().asLong())
                        : ValueFactory.value(e.getValue().asText())));
    qc.upsertAsync(
            collection,
            List.of(
                PointStruct.newBuilder()
                    .setId(PointIdFactory.id(PointIds.forImageId(NO_THUMBNAIL_ID)))
                    .setVectors(
                        VectorsFactory.vectors(
                            source.getVectors().getVector().getDense().getDataList()))
                    .putAllPayload(payload)
                    .build()))
        .get();
    indexed.put(NO_THUMBNAIL_ID, meta);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (client != null) {
      client.close();
    }
    for (JobClient job : new JobClient[] {query, ingest}) {
      if (job != null) {
        job.cancel().get();
      }
    }
    if (qdrant != null) {
      qdrant.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /**
   * The image_id a shipped test image is indexed under (lesion-grey.jpg and lesion-grey.png both
   * exist).
   */
  static String imageId(String file) {
    return "web-" + file.replace('.', '-');
  }

  SearchClient client() {
    return client;
  }

  EmbeddedKafka kafka() {
    return kafka;
  }

  /** What was indexed, by image_id: the ground truth a page's cards are checked against. */
  Map<String, ObjectNode> indexed() {
    return indexed;
  }

  private long count(QdrantClient qc) {
    try {
      return qc.countAsync(collection).get();
    } catch (Exception e) {
      return -1; // not created yet
    }
  }

  /**
   * Waits for {@code condition}; a job that ends meanwhile fails the wait at once, with its cause.
   */
  private void waitFor(java.util.function.BooleanSupplier condition, long timeoutMs, String what)
      throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      for (JobClient job : new JobClient[] {ingest, query}) {
        if (job.getJobStatus().get().isGloballyTerminalState()) {
          job.getJobExecutionResult().get(); // throws the job's failure
          throw new AssertionError("job " + job.getJobID() + " ended while waiting for " + what);
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "timed out waiting for "
                + what
                + "; jobs: ingest "
                + ingest.getJobStatus().get()
                + ", query "
                + query.getJobStatus().get());
      }
      Thread.sleep(200);
    }
  }
}
