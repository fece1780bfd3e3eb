package io.lesionsearch.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.local.EmbeddedKafka;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.qdrant.QdrantConnection;
import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.lesionsearch.query.QueryConfig;
import io.lesionsearch.query.QueryJob;
import io.lesionsearch.query.QueryOptions;
import io.lesionsearch.query.SearchClient;
import io.lesionsearch.testing.Flink;
import io.lesionsearch.testing.TestData;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.PointStruct;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local-only: it needs a Qdrant serving TLS with the test CA's certificate, which is the local
 * endpoint started here; the real server under test ({@code -Dlesion.test.qdrant}) serves
 * plaintext.
 *
 * <p>The query job as docker-compose submits it, against a Qdrant that serves TLS under a private
 * CA: with the read-only key and --qdrant-tls-ca, the CA file gone before the job runs (as on
 * TaskManagers that have no copy), it answers searches that need each read it makes (retrieve,
 * search, batch search), while the same key cannot write; an answer over --qdrant-max-inbound-bytes
 * is answered with an error that names the option.
 */
class QueryJobReadOnlyTlsLocalOnlyITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  private static final Path TLS = Path.of("src/test/resources/tls");
  private static final Path MODEL = TestData.model("vit-s16-d1/bf16");
  private static final String WRITE_KEY = "compose-write-key";
  private static final String READ_KEY = "compose-read-only-key";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * grpc-java logs every frame of a refused over-limit answer (client) and the stream the refusal
   * cancelled (server) through java.util.logging, which forgets a level once nothing holds the
   * logger.
   */
  private static final List<java.util.logging.Logger> QUIET =
      List.of(
          java.util.logging.Logger.getLogger("io.grpc.internal.AbstractClientStream"),
          java.util.logging.Logger.getLogger(
              "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler"));

  static {
    QUIET.forEach(l -> l.setLevel(java.util.logging.Level.SEVERE));
  }

  @Test
  void theQueryJobSearchesWithTheReadOnlyKeyOverTlsWithACaFromSubmission(@TempDir Path tmp)
      throws Exception {
    int dim = ModelManifest.read(MODEL).embeddingSize();
    try (QdrantLocalServer qdrant =
            QdrantLocalServer.builder()
                .port(0)
                .apiKey(WRITE_KEY)
                .readOnlyApiKey(READ_KEY)
                .tls(TLS.resolve("server.pem").toFile(), TLS.resolve("server.key").toFile())
                .start();
        EmbeddedKafka kafka = new EmbeddedKafka()) {
      QdrantConnection writer =
          QdrantConnection.of("localhost", qdrant.port()).withTrustedCa(TLS.resolve("ca.pem"));
      try (QdrantClient ingest = writer.withApiKey(WRITE_KEY).open()) {
        ingest
            .createCollectionAsync(
                "lesions",
                VectorParams.newBuilder().setSize(dim).setDistance(Distance.Cosine).build())
            .get();
        // a and b point almost the same way; c elsewhere: a's nearest other image is b.
        ingest
            .upsertAsync(
                "lesions",
                List.of(
                    point("ISIC_a", dim, 1f, 0f),
                    point("ISIC_b", dim, 0.9f, 0.1f),
                    point("ISIC_c", dim, 0f, 1f)))
            .get();
        // Opposite the others, each with 400 KB of payload: the three together answer over 1 MiB.
        List<PointStruct> large = new ArrayList<>();
        for (String id : List.of("ISIC_d", "ISIC_e", "ISIC_f")) {
          large.add(
              point(id, dim, -1f, 0f).toBuilder()
                  .putPayload("notes", ValueFactory.value("n".repeat(400_000)))
                  .build());
        }
        ingest.upsertAsync("lesions", large).get();
      }
      try (QdrantClient reader = writer.withApiKey(READ_KEY).open()) {
        ExecutionException e =
            assertThrows(
                ExecutionException.class,
                () -> reader.upsertAsync("lesions", List.of(point("ISIC_x", dim, 1f, 1f))).get());
        assertEquals(
            Status.Code.PERMISSION_DENIED,
            assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus().getCode(),
            "the key is read-only");
      }

      kafka.createTopic("lesion-search-requests", 1);
      kafka.createTopic("lesion-search-results", 1);
      kafka.createTopic("lesion-search-requests-dlq", 1);
      Path ca = Files.copy(TLS.resolve("ca.pem"), tmp.resolve("ca.pem"));
      QueryConfig options =
          QueryOptions.parse(
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--qdrant-host",
              "localhost",
              "--qdrant-port",
              Integer.toString(qdrant.port()),
              "--qdrant-tls-ca",
              ca.toString(),
              "--qdrant-api-key",
              READ_KEY,
              "--model",
              MODEL.toString(),
              "--parallelism",
              "1",
              "--checkpoint-interval-ms",
              "0",
              "--request-timeout-ms",
              "3000",
              "--qdrant-max-inbound-bytes",
              Integer.toString(1 << 20));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      QueryJob.build(env, options);
      Files.delete(ca);
      JobClient job = env.executeAsync("query job, read-only key over TLS");
      try (SearchClient client =
          new SearchClient(
              kafka.bootstrapServers(),
              "lesion-search-requests",
              "lesion-search-results",
              Map.of())) {
        JsonNode single =
            ok(
                client
                    .search(
                        request("{\"query\": {\"image_id\": \"ISIC_a\"}, \"limit\": 1}"),
                        Duration.ofSeconds(60))
                    .get());
        assertEquals(
            "ISIC_b", single.get("hits").get(0).get("image_id").asText(), single.toString());

        JsonNode batch =
            ok(
                client
                    .search(
                        request(
                            "{\"searches\": [{\"query\": {\"image_id\": \"ISIC_c\"}, \"limit\": 1},"
                                + " {\"query\": {\"vector\": "
                                + JSON.writeValueAsString(vector(dim, 0.9f, 0.1f))
                                + "}, \"limit\": 2}]}"),
                        Duration.ofSeconds(60))
                    .get());
        assertEquals(2, batch.get("results").size(), batch.toString());
        List<String> second = new ArrayList<>();
        batch
            .get("results")
            .get(1)
            .get("hits")
            .forEach(h -> second.add(h.get("image_id").asText()));
        assertEquals(List.of("ISIC_b", "ISIC_a"), second, batch.toString());

        JsonNode tooLarge =
            client
                .search(
                    request(
                        "{\"query\": {\"vector\": "
                            + JSON.writeValueAsString(vector(dim, -1f, 0f))
                            + "}, \"limit\": 3}"),
                    Duration.ofSeconds(60))
                .get();
        assertEquals("error", tooLarge.get("status").asText(), tooLarge.toString());
        assertEquals(
            "REPLY_TOO_LARGE", tooLarge.get("error").get("code").asText(), tooLarge.toString());
        String message = tooLarge.get("error").get("message").asText();
        assertTrue(
            message.contains("exceeds maximum size")
                && message.contains("raise --qdrant-max-inbound-bytes"),
            message);
      } finally {
        job.cancel().get();
      }
    }
  }

  private static PointStruct point(String imageId, int dim, float x, float y) {
    return PointStruct.newBuilder()
        .setId(PointIdFactory.id(PointIds.forImageId(imageId)))
        .setVectors(VectorsFactory.vectors(vector(dim, x, y)))
        .putAllPayload(Map.of("image_id", ValueFactory.value(imageId)))
        .build();
  }

  /** x and y in the first two components and a small constant elsewhere, so no vector is zero. */
  private static float[] vector(int dim, float x, float y) {
    float[] v = new float[dim];
    java.util.Arrays.fill(v, 0.001f);
    v[0] = x;
    v[1] = y;
    return v;
  }

  private static ObjectNode request(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  private static JsonNode ok(JsonNode reply) {
    assertEquals("ok", reply.get("status").asText(), reply.toString());
    return reply;
  }
}
