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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Request/reply over the query job's topics: publishes a request under a fresh request_id and
 * completes its future with the first reply carrying that id. Replies to other clients' requests,
 * and repeats of a reply (the job's sink is at least once), are ignored. Thread-safe; one instance
 * serves many concurrent requests (a web gateway keeps one).
 *
 * <p>Every search's future ends within its timeout: requests are handed to Kafka on a sender thread
 * (the producer can block for metadata or buffer space), and a client whose replies cannot be read
 * any more fails its searches with {@link SearchClientFailedException} at once (see {@link
 * ReplyPoller}).
 */
public final class SearchClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Kafka's timestamps of each search's two records, for a latency breakdown ({@code bench query}).
   * Called on the producer's I/O thread and on the reply reader's thread: keep it short.
   */
  public interface Trips {
    Trips NONE =
        new Trips() {
          @Override
          public void requestAppended(String requestId, long timestampMs) {}

          @Override
          public void replyRead(
              String requestId, long timestampMs, long jobReceivedMs, long readNanos) {}
        };

    /**
     * The broker acknowledged the request record; {@code timestampMs} is its record timestamp (the
     * broker's append time on a topic with {@code message.timestamp.type=LogAppendTime}).
     */
    void requestAppended(String requestId, long timestampMs);

    /**
     * A reply record was read: its record timestamp, the job's {@link
     * ReplySerializer#RECEIVED_HEADER} (-1 without it) and {@link System#nanoTime()} when read.
     */
    void replyRead(String requestId, long timestampMs, long jobReceivedMs, long readNanos);
  }

  /** Inline images make large requests; Kafka's 1 MB default would refuse a photo. */
  private static final int MAX_REQUEST_BYTES = 32 * 1024 * 1024;

  /**
   * How long the sender thread may wait in producer.send for metadata or buffer space (Kafka's
   * default is 60 s). The caller's timeout holds regardless; this bounds how long one stuck send
   * holds up the requests queued behind it.
   */
  static final String MAX_BLOCK_MS = "10000";

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final String requestsTopic;
  private final Trips trips;
  private final Producer<byte[], byte[]> producer;
  private final PendingReplies pending = new PendingReplies();
  private final ReplyPoller poller;
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "lesion-search-client-sender");
            t.setDaemon(true);
            return t;
          });

  /**
   * Reads replies from the end of the replies topic as it is now, so it never sees older replies.
   */
  public SearchClient(
      String bootstrapServers,
      String requestsTopic,
      String repliesTopic,
      Map<String, String> kafkaProperties) {
    this(bootstrapServers, requestsTopic, repliesTopic, kafkaProperties, Trips.NONE);
  }

  /** As the constructor above, telling {@code trips} each record's Kafka timestamp. */
  public SearchClient(
      String bootstrapServers,
      String requestsTopic,
      String repliesTopic,
      Map<String, String> kafkaProperties,
      Trips trips) {
    this(
        requestsTopic,
        repliesTopic,
        producer(bootstrapServers, kafkaProperties),
        consumer(bootstrapServers, kafkaProperties),
        FIRST_BACKOFF,
        MAX_BACKOFF,
        trips);
  }

  /**
   * The client over given Kafka clients and reply-poll backoff: the public constructor passes real
   * clients and the default backoff; any Producer/Consumer pair works (kafka-clients' mocks
   * included).
   */
  SearchClient(
      String requestsTopic,
      String repliesTopic,
      Producer<byte[], byte[]> producer,
      Consumer<byte[], byte[]> consumer,
      Duration firstBackoff,
      Duration maxBackoff) {
    this(requestsTopic, repliesTopic, producer, consumer, firstBackoff, maxBackoff, Trips.NONE);
  }

  private SearchClient(
      String requestsTopic,
      String repliesTopic,
      Producer<byte[], byte[]> producer,
      Consumer<byte[], byte[]> consumer,
      Duration firstBackoff,
      Duration maxBackoff,
      Trips trips) {
    this.requestsTopic = requestsTopic;
    this.trips = trips;
    this.producer = producer;
    try {
      // Assigned, not subscribed: no group, no rebalance wait, every client sees every reply.
      List<TopicPartition> partitions =
          consumer.partitionsFor(repliesTopic, Duration.ofSeconds(30)).stream()
              .map(info -> new TopicPartition(repliesTopic, info.partition()))
              .toList();
      if (partitions.isEmpty()) {
        throw new IllegalStateException("replies topic " + repliesTopic + " does not exist");
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(
          consumer::position); // resolves the end offsets now, before any request is sent
    } catch (RuntimeException e) {
      consumer.close();
      producer.close(Duration.ZERO);
      sender.shutdown();
      throw e;
    }
    poller = new ReplyPoller(consumer, repliesTopic, pending, firstBackoff, maxBackoff, trips);
    poller.start();
  }

  private static Properties common(String bootstrapServers, Map<String, String> kafkaProperties) {
    Properties p = new Properties();
    p.putAll(kafkaProperties);
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }

  private static Producer<byte[], byte[]> producer(
      String bootstrapServers, Map<String, String> kafkaProperties) {
    Properties p = common(bootstrapServers, kafkaProperties);
    p.putIfAbsent("linger.ms", "0");
    p.putIfAbsent("max.request.size", Integer.toString(MAX_REQUEST_BYTES));
    p.putIfAbsent("max.block.ms", MAX_BLOCK_MS);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static Consumer<byte[], byte[]> consumer(
      String bootstrapServers, Map<String, String> kafkaProperties) {
    Properties c = common(bootstrapServers, kafkaProperties);
    c.put("enable.auto.commit", "false");
    c.putIfAbsent("fetch.max.wait.ms", "50");
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Sends {@code request} (a request object without request_id) under a fresh id. */
  public CompletableFuture<JsonNode> search(ObjectNode request, Duration timeout) {
    String requestId = UUID.randomUUID().toString();
    ObjectNode message = JSON.createObjectNode().put("request_id", requestId);
    request
        .fields()
        .forEachRemaining(
            e -> {
              if (!e.getKey().equals("request_id")) {
                message.set(e.getKey(), e.getValue());
              }
            });
    return send(requestId, message, timeout);
  }

  /** Sends a request exactly as given; {@code requestId} is what its reply will carry. */
  public CompletableFuture<JsonNode> send(String requestId, ObjectNode message, Duration timeout) {
    RuntimeException failure = pending.failure();
    if (failure != null) {
      return CompletableFuture.failedFuture(
          failure); // before serializing a large image for nothing
    }
    byte[] value;
    try {
      value = JSON.writeValueAsBytes(message);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return sendRaw(requestId, value, timeout);
  }

  /**
   * Sends {@code value} as it is, keyed by {@code requestId}: what {@link #send} does after
   * serializing.
   */
  CompletableFuture<JsonNode> sendRaw(String requestId, byte[] value, Duration timeout) {
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    if (!pending.add(requestId, reply)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("request " + requestId + " is already waiting"));
    }
    if (reply.isDone()) {
      return reply; // the client has failed or closed
    }
    reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    Outgoing outgoing = new Outgoing(requestId, value, reply);
    try {
      sender.execute(outgoing::send);
    } catch (RejectedExecutionException e) {
      reply.completeExceptionally(new IllegalStateException("SearchClient is closed", e));
    }
    return reply.exceptionallyCompose(
        e ->
            e instanceof TimeoutException
                ? CompletableFuture.failedFuture(
                    new TimeoutException(
                        outgoing.sent()
                            ? "no reply to request "
                                + requestId
                                + " within "
                                + timeout.toMillis()
                                + " ms (is the query job running?)"
                            : "request "
                                + requestId
                                + " could not be handed to Kafka within "
                                + timeout.toMillis()
                                + " ms (is Kafka reachable, and does "
                                + requestsTopic
                                + " exist?)"))
                : CompletableFuture.failedFuture(e));
  }

  /**
   * One request on its way to the producer; it lets go of its bytes as soon as its search has
   * ended.
   */
  private final class Outgoing {

    private final String requestId;
    private final AtomicReference<byte[]> value;
    private final CompletableFuture<JsonNode> reply;
    private volatile boolean sent;

    Outgoing(String requestId, byte[] value, CompletableFuture<JsonNode> reply) {
      this.requestId = requestId;
      this.value = new AtomicReference<>(value);
      this.reply = reply;
      // A search that timed out while queued behind a stuck send need not hold its image any
      // longer.
      var unused = reply.whenComplete((r, e) -> this.value.set(null));
    }

    void send() {
      byte[] bytes = value.getAndSet(null);
      if (bytes == null || reply.isDone()) {
        return; // timed out or failed while queued: nobody waits for its reply
      }
      try {
        // The callback fails the search itself; the returned future would only repeat it.
        var unused =
            producer.send(
                new ProducerRecord<>(
                    requestsTopic, requestId.getBytes(StandardCharsets.UTF_8), bytes),
                (meta, error) -> {
                  if (error != null) {
                    reply.completeExceptionally(error);
                  } else {
                    trips.requestAppended(requestId, meta.timestamp());
                  }
                });
        sent = true;
      } catch (RuntimeException e) {
        reply.completeExceptionally(e);
      }
    }

    boolean sent() {
      return sent;
    }
  }

  /** Fails the searches still waiting, then stops the sender, the reply reader and the producer. */
  @Override
  public void close() {
    pending.failAll(new IllegalStateException("SearchClient is closed"));
    sender.shutdown();
    try {
      sender.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    poller.close();
    producer.close(Duration.ofSeconds(5));
  }
}
