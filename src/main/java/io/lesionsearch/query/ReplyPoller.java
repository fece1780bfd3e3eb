package io.lesionsearch.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that reads the replies topic and completes the waiting searches. A transient Kafka
 * error (a broker restarting, a leader moving, a network blip) is logged and polling resumes after
 * a backoff, so one bad moment does not leave every later search to time out. An error that
 * retrying cannot cure (lost authorization or authentication, a bad topic, an unsupported broker, a
 * bug) fails every waiting and later search with a {@link SearchClientFailedException} at once.
 */
final class ReplyPoller {

  private static final Logger LOG = LoggerFactory.getLogger(ReplyPoller.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(200);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final PendingReplies pending;
  private final SearchClient.Trips trips;
  private final Duration firstBackoff;
  private final Duration maxBackoff;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread thread;

  ReplyPoller(
      Consumer<byte[], byte[]> consumer,
      String topic,
      PendingReplies pending,
      Duration firstBackoff,
      Duration maxBackoff,
      SearchClient.Trips trips) {
    this.trips = trips;
    this.consumer = consumer;
    this.topic = topic;
    this.pending = pending;
    this.firstBackoff = firstBackoff;
    this.maxBackoff = maxBackoff;
    this.thread = new Thread(this::run, "lesion-search-client-replies");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Ends the thread (it closes the consumer) and waits for it a while. */
  void close() {
    closing.countDown();
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean closing() {
    return closing.getCount() == 0;
  }

  private void run() {
    Duration backoff = firstBackoff;
    try {
      while (!closing()) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (WakeupException e) {
          continue; // close() woke it; the loop's condition ends it
        } catch (KafkaException e) {
          if (closing() || isFatal(e)) {
            throw e;
          }
          LOG.warn(
              "Reading replies from {} failed ({}); retrying in {} ms",
              topic,
              e.toString(),
              backoff.toMillis());
          if (closing.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
            break;
          }
          backoff =
              backoff.multipliedBy(2).compareTo(maxBackoff) > 0
                  ? maxBackoff
                  : backoff.multipliedBy(2);
          continue;
        }
        backoff = firstBackoff;
        for (ConsumerRecord<byte[], byte[]> record : records) {
          deliver(record);
        }
      }
    } catch (InterruptedException e) {
      fail(e);
    } catch (RuntimeException | Error e) {
      if (!closing()) {
        fail(e);
      }
      if (e instanceof Error error) {
        throw error;
      }
    } finally {
      consumer.close();
    }
  }

  private void fail(Throwable e) {
    LOG.error(
        "Reading replies from {} failed for good; this client's searches fail until it is restarted",
        topic,
        e);
    pending.failAll(
        new SearchClientFailedException(
            "the search client can no longer read replies from "
                + topic
                + " ("
                + e
                + "); fix the cause and restart it",
            e));
  }

  /** What retrying cannot cure; everything else Kafka throws is taken as transient. */
  static boolean isFatal(KafkaException e) {
    return e instanceof AuthorizationException
        || e instanceof AuthenticationException
        || e instanceof InvalidTopicException
        || e instanceof UnsupportedVersionException
        || e instanceof InvalidConfigurationException
        || e instanceof SecurityDisabledException
        || e instanceof InterruptException;
  }

  private static long jobReceived(ConsumerRecord<byte[], byte[]> record) {
    Header h = record.headers().lastHeader(ReplySerializer.RECEIVED_HEADER);
    if (h == null || h.value() == null) {
      return -1;
    }
    try {
      return Long.parseLong(new String(h.value(), StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return -1;
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
    if (id != null) {
      trips.replyRead(id.asText(), record.timestamp(), jobReceived(record), System.nanoTime());
      pending.complete(id.asText(), reply);
    }
  }
}
