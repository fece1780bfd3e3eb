package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Request/reply correlation on a real broker, with the test playing the job's part. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchClientITCase {

  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @BeforeAll
  void createTopics() throws Exception {
    KAFKA.get().createTopic("requests", 1);
    KAFKA.get().createTopic("replies", 2);
  }

  @Test
  void theFirstReplyWithTheRequestsIdCompletesItAndRepeatsAndStrangersAreIgnored()
      throws Exception {
    try (SearchClient client =
            new SearchClient(KAFKA.get().bootstrapServers(), "requests", "replies", Map.of());
        SearchClient other =
            new SearchClient(KAFKA.get().bootstrapServers(), "requests", "replies", Map.of())) {
      ObjectNode request =
          (ObjectNode)
              JSON.readTree("{\"request_id\": \"ignored\", \"query\": {\"image_id\": \"ISIC_1\"}}");
      CompletableFuture<JsonNode> a = client.search(request, Duration.ofSeconds(60));
      CompletableFuture<JsonNode> b = client.search(request, Duration.ofSeconds(60));
      List<ConsumerRecord<byte[], byte[]>> sent = KAFKA.get().read("requests", 2, 60_000);
      assertEquals(2, sent.size());
      String idA = JSON.readTree(sent.get(0).value()).get("request_id").asText();
      String idB = JSON.readTree(sent.get(1).value()).get("request_id").asText();
      assertFalse(
          idA.equals("ignored") || idA.equals(idB),
          "each request gets a fresh id: " + idA + ", " + idB);
      assertEquals(
          idA, new String(sent.get(0).key(), StandardCharsets.UTF_8), "keyed by request_id");

      reply("someone-else", 1);
      reply(idA, 1);
      reply(idA, 2); // a repeat, as an at-least-once sink may send after a restart
      reply("not json at all", 0);
      reply(idB, 3);
      assertEquals(1, a.get().get("n").asInt());
      assertEquals(3, b.get().get("n").asInt());

      // Another client sees the same replies but waits for none of them.
      CompletableFuture<JsonNode> late =
          other.sendRaw(
              "never-answered", "{}".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(300));
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, late::get);
      assertTrue(
          e.getCause() instanceof TimeoutException
              && e.getCause().getMessage().contains("never-answered"),
          e.toString());
    }
  }

  private void reply(String requestId, int n) throws Exception {
    byte[] value =
        requestId.startsWith("not json")
            ? requestId.getBytes(StandardCharsets.UTF_8)
            : JSON.writeValueAsBytes(
                JSON.createObjectNode()
                    .put("request_id", requestId)
                    .put("status", "ok")
                    .put("n", n));
    KAFKA.get().send("replies", requestId.getBytes(StandardCharsets.UTF_8), value);
  }
}
