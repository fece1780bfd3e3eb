package io.lesionsearch.ingest;

import static io.lesionsearch.ingest.IngestFixture.count;
import static io.lesionsearch.ingest.IngestFixture.message;
import static io.lesionsearch.ingest.IngestFixture.send;
import static io.lesionsearch.ingest.IngestFixture.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.testing.Flink;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failures around the ingest job: a crash mid-stream, Qdrant going away, a collection of the wrong
 * size.
 */
class IngestJobRecoveryITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  @RegisterExtension static final IngestFixture FIXTURE = new IngestFixture();

  /** Crashes the job once, after a checkpoint has completed and some records have passed. */
  static final class CrashOnce
      implements MapFunction<IngestMessage, IngestMessage>, CheckpointListener {
    static final AtomicBoolean CRASHED = new AtomicBoolean();
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicInteger SEEN = new AtomicInteger();

    @Override
    public IngestMessage map(IngestMessage image) throws InterruptedException {
      // Paced so that checkpoints (every second) complete while records are still flowing.
      Thread.sleep(100);
      if (SEEN.incrementAndGet() > 20 && CHECKPOINTED.get() && CRASHED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure after " + SEEN.get() + " records");
      }
      return image;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTED.set(true);
    }
  }

  @Test
  void aCrashMidStreamRestartsFromTheLastCheckpointAndEndsWithExactlyTheUniquePoints()
      throws Exception {
    String topic = "images-crash";
    FIXTURE.topics(topic, 2);
    int n = 60;
    try (KafkaProducer<byte[], byte[]> producer = FIXTURE.kafka().producer()) {
      for (int i = 0; i < n; i++) {
        String id = "CRASH_" + i;
        send(
            producer,
            topic,
            id,
            message(id, "nv", 40, SyntheticLesionImages.jpeg(100 + i, 120, 90, 0.9f)));
      }
    }
    String collection = FIXTURE.collection("crash");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IngestJob.build(
        env,
        FIXTURE.options(topic, collection),
        images -> images.map(new CrashOnce()).name("crash-once"));
    JobClient job = env.executeAsync("crash");
    try (QdrantClient client = FIXTURE.newClient()) {
      waitFor(() -> count(client, collection) == n, 120_000, n + " points after the crash");
      waitFor(
          () -> FIXTURE.everythingCommitted(topic),
          60_000,
          "every record behind a completed checkpoint");
      assertEquals(n, count(client, collection), "replayed records overwrite their points");
    } finally {
      job.cancel().get();
    }
    assertTrue(CrashOnce.CRASHED.get(), "the failure was injected");
    assertTrue(
        CrashOnce.SEEN.get() > n,
        "records after the last checkpoint were replayed: " + CrashOnce.SEEN.get());
  }

  @Test
  void qdrantGoingAwayForSecondsIsRetriedUntilEveryPointIsWritten() throws Exception {
    String topic = "images-outage";
    FIXTURE.topics(topic, 2);
    int n = 40;
    String collection = FIXTURE.collection("outage");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IngestJob.build(env, FIXTURE.optionsThroughProxy(topic, collection));
    JobClient job = env.executeAsync("outage");
    try (KafkaProducer<byte[], byte[]> producer = FIXTURE.kafka().producer();
        QdrantClient client = FIXTURE.newClient()) {
      for (int i = 0; i < n / 2; i++) {
        send(
            producer,
            topic,
            "OUT_" + i,
            message("OUT_" + i, "bcc", 60, SyntheticLesionImages.jpeg(500 + i, 120, 90, 0.9f)));
      }
      waitFor(() -> count(client, collection) == n / 2, 60_000, "the first half");
      FIXTURE.stopQdrant();
      for (int i = n / 2; i < n; i++) {
        send(
            producer,
            topic,
            "OUT_" + i,
            message("OUT_" + i, "bcc", 60, SyntheticLesionImages.jpeg(500 + i, 120, 90, 0.9f)));
      }
      // The outage itself: seconds in which the sink's upserts keep failing and are retried.
      Thread.sleep(4_000);
      assertEquals(n / 2, count(client, collection), "nothing reached Qdrant while it was away");
      FIXTURE.startQdrantAgain();
      waitFor(() -> count(client, collection) == n, 60_000, "all points after the outage");
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void aCollectionOfAnotherSizeStopsTheJobWithAClearMessage() throws Exception {
    String collection = FIXTURE.collection("wrong-size");
    try (QdrantClient client = FIXTURE.newClient()) {
      client
          .createCollectionAsync(
              collection,
              VectorParams.newBuilder().setSize(512).setDistance(Distance.Cosine).build())
          .get();
    }
    String topic = "images-wrong-size";
    FIXTURE.topics(topic, 1);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IngestJob.build(env, FIXTURE.options(topic, collection));
    // With checkpointing Flink restarts failed jobs forever by default; a wrong collection is not
    // something a restart can fix, so the job must stop for good, promptly.
    Exception e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () -> assertThrows(Exception.class, () -> env.execute("wrong-size")));
    String message = ExceptionUtils.stringifyException(e);
    assertTrue(
        message.contains(collection) && message.contains("512") && message.contains("384"),
        message);
  }
}
