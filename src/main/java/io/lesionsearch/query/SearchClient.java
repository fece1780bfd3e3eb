package io.lesionsearch.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request/reply over the query job's topics: publishes a request under a fresh request_id and
 * completes its future with the first reply carrying that id. Replies to other clients' requests,
 * and repeats of a reply (the job's sink is at least once), are ignored. Thread-safe; one instance
 * serves many concurrent requests (a web gateway keeps one).
 */
public final class SearchClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SearchClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Inline images make large requests; Kafka's 1 MB default would refuse a photo. */
  private static final int MAX_REQUEST_BYTES = 32 * 1024 * 1024;

  private final String requestsTopic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final Thread poller;
  private volatile boolean closed;

  /** Reads replies from the end of the replies topic as it is now, so it never sees older replies. */
  public SearchClient(String bootstrapServers, String requestsTopic, String repliesTopic, Map<String, String> kafkaProperties) {
    this.requestsTopic = requestsTopic;
    Properties common = new Properties();
    common.putAll(kafkaProperties);
    common.put("bootstrap.servers", bootstrapServers);

    Properties p = (Properties) common.clone();
    p.putIfAbsent("linger.ms", "0");
    p.putIfAbsent("max.request.size", Integer.toString(MAX_REQUEST_BYTES));
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());

    Properties c = (Properties) common.clone();
    c.put("enable.auto.commit", "false");
    c.putIfAbsent("fetch.max.wait.ms", "50");
    consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    // Assigned, not subscribed: no group, no rebalance wait, every client sees every reply.
    List<TopicPartition> partitions = consumer.partitionsFor(repliesTopic, Duration.ofSeconds(30)).stream()
        .map(info -> new TopicPartition(repliesTopic, info.partition()))
        .toList();
    if (partitions.isEmpty()) {
      close();
      throw new IllegalStateException("replies topic " + repliesTopic + " does not exist");
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolves the end offsets now, before any request is sent
    poller = new Thread(this::poll, "lesion-search-client-replies");
    poller.setDaemon(true);
    poller.start();
  }

  /** Sends {@code request} (a request object without request_id) under a fresh id. */
  public CompletableFuture<JsonNode> search(ObjectNode request, Duration timeout) {
    String requestId = UUID.randomUUID().toString();
    ObjectNode message = JSON.createObjectNode().put("request_id", requestId);
    request.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("request_id")) {
        message.set(e.getKey(), e.getValue());
      }
    });
    return send(requestId, message, timeout);
  }

  /** Sends a request exactly as given; {@code requestId} is what its reply will carry. */
  public CompletableFuture<JsonNode> send(String requestId, ObjectNode message, Duration timeout) {
    byte[] value;
    try {
      value = JSON.writeValueAsBytes(message);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return sendRaw(requestId, value, timeout);
  }

  /** Sends raw bytes keyed by {@code requestId}: for tools that test the job with malformed messages. */
  public CompletableFuture<JsonNode> sendRaw(String requestId, byte[] value, Duration timeout) {
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    if (pending.putIfAbsent(requestId, reply) != null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("request " + requestId + " is already waiting"));
    }
    reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(requestId, reply));
    producer.send(new ProducerRecord<>(requestsTopic, requestId.getBytes(StandardCharsets.UTF_8), value), (meta, error) -> {
      if (error != null) {
        reply.completeExceptionally(error);
      }
    });
    return reply.exceptionallyCompose(e -> e instanceof TimeoutException
        ? CompletableFuture.failedFuture(new TimeoutException(
            "no reply to request " + requestId + " within " + timeout.toMillis() + " ms (is the query job running?)"))
        : CompletableFuture.failedFuture(e));
  }

  private void poll() {
    try {
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          deliver(record);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("Reading replies failed; waiting requests will time out", e);
    } finally {
      consumer.close();
    }
  }

  private void deliver(ConsumerRecord<byte[], byte[]> record) {
    JsonNode reply;
    try {
      reply = JSON.readTree(record.value());
    } catch (IOException | RuntimeException e) {
      return; // not a reply of this job's format; nothing waits for it
    }
    JsonNode id = reply == null ? null : reply.get("request_id");
    CompletableFuture<JsonNode> waiting = id == null ? null : pending.remove(id.asText());
    if (waiting != null) {
      waiting.complete(reply);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (poller != null) {
      consumer.wakeup();
      try {
        poller.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      consumer.close();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
