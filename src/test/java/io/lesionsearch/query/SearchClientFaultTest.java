package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the client does when Kafka misbehaves, on kafka-clients' own MockConsumer and MockProducer:
 * transient reply-reading errors are survived, fatal ones fail every search at once, and a producer
 * that blocks cannot hold a search past its timeout.
 */
class SearchClientFaultTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final TopicPartition REPLIES = new TopicPartition("replies", 0);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("latest");
  private final RecordingProducer producer = new RecordingProducer();
  private long nextOffset;
  private SearchClient client;

  private SearchClient start() {
    consumer.updatePartitions(
        "replies", List.of(new PartitionInfo("replies", 0, null, null, null)));
    consumer.updateEndOffsets(Map.of(REPLIES, 0L));
    client =
        new SearchClient(
            "requests", "replies", producer, consumer, Duration.ofMillis(1), Duration.ofMillis(4));
    return client;
  }

  @AfterEach
  void close() {
    producer.unblock();
    if (client != null) {
      client.close();
    }
  }

  @Test
  void aReplyCompletesTheSearchWithItsIdAndOthersAreIgnored() throws Exception {
    start();
    CompletableFuture<JsonNode> a = client.search(request("ISIC_1"), LONG);
    CompletableFuture<JsonNode> b = client.search(request("ISIC_2"), LONG);
    String idA = producer.nextRequestId();
    String idB = producer.nextRequestId();
    reply("a stranger's", 0);
    reply(idB, 2);
    reply(idA, 1);
    reply(idA, 9); // a repeat
    assertEquals(1, a.get(5, TimeUnit.SECONDS).get("n").asInt());
    assertEquals(2, b.get(5, TimeUnit.SECONDS).get("n").asInt());
  }

  @Test
  void transientErrorsWhileReadingRepliesAreSurvived() throws Exception {
    start();
    CompletableFuture<JsonNode> waiting = client.search(request("ISIC_1"), LONG);
    String id = producer.nextRequestId();
    // MockConsumer throws a set exception on its next poll and returns records only on a later one,
    // so the reply below can only arrive through a poller that survived the error.
    consumer.setPollException(new DisconnectException("broker went away"));
    reply(id, 1);
    assertEquals(1, waiting.get(5, TimeUnit.SECONDS).get("n").asInt());

    CompletableFuture<JsonNode> next = client.search(request("ISIC_2"), LONG);
    String nextId = producer.nextRequestId();
    consumer.setPollException(new KafkaException("an unclassified fetch failure"));
    reply(nextId, 2);
    assertEquals(2, next.get(5, TimeUnit.SECONDS).get("n").asInt());
  }

  @Test
  void aFatalErrorFailsWaitingSearchesAtOnceAndLaterOnesFailFast() throws Exception {
    start();
    CompletableFuture<JsonNode> waiting = client.search(request("ISIC_1"), LONG);
    producer.nextRequestId();
    consumer.setPollException(new TopicAuthorizationException(Set.of("replies")));

    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> waiting.get(5, TimeUnit.SECONDS),
            "failed at once, long before its 30 s timeout");
    SearchClientFailedException failed =
        assertInstanceOf(SearchClientFailedException.class, e.getCause());
    assertInstanceOf(TopicAuthorizationException.class, failed.getCause());
    assertTrue(
        failed.getMessage().contains("can no longer read replies from replies"),
        failed.getMessage());

    CompletableFuture<JsonNode> later = client.search(request("ISIC_2"), LONG);
    assertTrue(later.isCompletedExceptionally(), "a later search fails on the spot");
    ExecutionException laterError = assertThrows(ExecutionException.class, later::get);
    assertSame(failed, laterError.getCause());
    assertNull(producer.poll(), "nothing is sent for a search that cannot be answered");
  }

  @Test
  void aProducerBlockedOnMetadataCannotHoldASearchPastItsTimeout() throws Exception {
    start();
    producer.block();
    CompletableFuture<JsonNode> first =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> client.search(request("ISIC_1"), Duration.ofMillis(200)),
            "search() returns while the producer blocks");
    CompletableFuture<JsonNode> second = client.search(request("ISIC_2"), Duration.ofMillis(200));
    assertFalse(first.isDone());

    for (CompletableFuture<JsonNode> f : List.of(first, second)) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
      assertInstanceOf(TimeoutException.class, e.getCause());
      assertTrue(
          e.getCause().getMessage().contains("could not be handed to Kafka within 200 ms"),
          e.getCause().getMessage());
    }
    producer.unblock();
    client.close();
    assertEquals(
        1,
        producer.history().size(),
        "the first send went through once unblocked; the second, timed out while queued, was never sent");
  }

  @Test
  void aSendKafkaRefusesFailsItsSearch() throws Exception {
    start();
    producer.sendException = new KafkaException("record too large");
    CompletableFuture<JsonNode> refused = client.search(request("ISIC_1"), LONG);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> refused.get(5, TimeUnit.SECONDS));
    assertEquals("record too large", e.getCause().getMessage());
  }

  @Test
  void closingFailsWaitingSearches() throws Exception {
    start();
    CompletableFuture<JsonNode> waiting = client.search(request("ISIC_1"), LONG);
    producer.nextRequestId();
    client.close();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().toString());
    assertTrue(client.search(request("ISIC_2"), LONG).isCompletedExceptionally());
  }

  private static ObjectNode request(String imageId) {
    ObjectNode r = JSON.createObjectNode();
    r.putObject("query").put("image_id", imageId);
    return r;
  }

  private void reply(String requestId, int n) throws Exception {
    byte[] value =
        JSON.writeValueAsBytes(
            JSON.createObjectNode().put("request_id", requestId).put("status", "ok").put("n", n));
    consumer.addRecord(
        new ConsumerRecord<>(
            "replies", 0, nextOffset++, requestId.getBytes(StandardCharsets.UTF_8), value));
  }

  /**
   * Hands each sent record to the test, and can hold send() as a producer waiting for metadata
   * does.
   */
  private static final class RecordingProducer extends MockProducer<byte[], byte[]> {

    private final BlockingQueue<ProducerRecord<byte[], byte[]>> sent = new LinkedBlockingQueue<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    RecordingProducer() {
      super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    void block() {
      gate = new CountDownLatch(1);
    }

    void unblock() {
      gate.countDown();
    }

    @Override
    @SuppressWarnings(
        "UnsynchronizedOverridesSynchronized") // waits outside the mock's lock, on purpose
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      try {
        gate.await(); // outside the mock's lock, which its history() needs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Future<RecordMetadata> f = super.send(record, callback);
      sent.add(record);
      return f;
    }

    String nextRequestId() throws Exception {
      ProducerRecord<byte[], byte[]> r = sent.poll(5, TimeUnit.SECONDS);
      assertTrue(r != null, "a request was sent");
      String id = JSON.readTree(r.value()).get("request_id").asText();
      assertEquals(id, new String(r.key(), StandardCharsets.UTF_8), "keyed by request_id");
      return id;
    }

    ProducerRecord<byte[], byte[]> poll() {
      return sent.poll();
    }
  }
}
