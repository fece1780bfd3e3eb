package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import io.grpc.Status;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.junit.jupiter.api.Test;

/**
 * The writer's upserts, retries and give-up driven by a fake Qdrant, clock and scheduler: no
 * server, no sleeps.
 */
class QdrantSinkWriterTest {
  private static final RetryPolicy RETRY =
      new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(1));

  /** Answers each upsert with the next queued outcome: null for success, else the exception. */
  private final Queue<RuntimeException> answers = new ArrayDeque<>();

  /** A queued answer that is a success (the queue holds no nulls). */
  private final RuntimeException succeed = new IllegalStateException("no failure");

  private final List<UpsertPoints> requests = new ArrayList<>();

  /** Every call in the order made: upserts and deletes. */
  private final List<Object> calls = new ArrayList<>();

  /** What the deletion listener heard. */
  private final List<PointOp.Delete> deleted = new ArrayList<>();

  private final List<Long> delays = new ArrayList<>();
  private final Queue<Runnable> scheduled = new ArrayDeque<>();
  private final AtomicInteger connectBackoffResets = new AtomicInteger();
  private long nowMs = 1_000_000;
  private boolean closing;
  private final BatchUpserter.Metrics metrics =
      new BatchUpserter.Metrics(
          new SimpleCounter(),
          new SimpleCounter(),
          new SimpleCounter(),
          new SimpleCounter(),
          new DescriptiveStatisticsHistogram(10),
          new DescriptiveStatisticsHistogram(10));
  private final BatchUpserter upserter =
      new BatchUpserter(
          "lesions",
          "qdrant:6334",
          RETRY,
          this::upsert,
          this::delete,
          (d, ms) -> deleted.add(d),
          connectBackoffResets::incrementAndGet,
          () -> nowMs,
          () -> 0,
          this::schedule,
          metrics);

  private ListenableFuture<UpdateResult> upsert(UpsertPoints request) {
    requests.add(request);
    calls.add(request);
    return answer();
  }

  private ListenableFuture<UpdateResult> delete(DeletePoints request) {
    calls.add(request);
    return answer();
  }

  private ListenableFuture<UpdateResult> answer() {
    SettableFuture<UpdateResult> f = SettableFuture.create();
    RuntimeException failure = answers.poll();
    if (failure == null || failure == succeed) {
      f.set(UpdateResult.getDefaultInstance());
    } else {
      f.setException(failure);
    }
    return f;
  }

  private void schedule(Runnable task, long delayMs) {
    if (closing) {
      throw new RejectedExecutionException("closed");
    }
    delays.add(delayMs);
    scheduled.add(
        () -> {
          nowMs += delayMs;
          task.run();
        });
  }

  /** What the writer told Flink about one batch; a retry resends it as the buffer would. */
  private final class Handler implements ResultHandler<PointOp> {
    int completed;
    Exception failed;
    int retried;
    final List<List<PointOp>> retriedEntries = new ArrayList<>();

    @Override
    public void complete() {
      completed++;
    }

    @Override
    public void completeExceptionally(Exception e) {
      failed = e;
    }

    @Override
    public void retryForEntries(List<PointOp> entries) {
      retried++;
      retriedEntries.add(entries);
      upserter.apply(entries, this);
    }
  }

  private static List<PointStruct> batch(int n) {
    List<PointStruct> points = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      points.add(
          PointStruct.newBuilder()
              .setId(PointIdFactory.id(UUID.randomUUID()))
              .setVectors(VectorsFactory.vectors(i, 1f))
              .build());
    }
    return points;
  }

  private Handler send(List<PointStruct> batch) {
    return sendOps(batch.stream().map(p -> (PointOp) PointOp.upsert(p)).toList());
  }

  private Handler sendOps(List<PointOp> batch) {
    Handler h = new Handler();
    upserter.apply(batch, h);
    while (!scheduled.isEmpty()) {
      scheduled.poll().run();
    }
    return h;
  }

  private static StatusException status(Status.Code code) {
    return new StatusException(
        code.toStatus().withDescription("said the fake").asRuntimeException());
  }

  /** An upsert's failure as the client delivers it. */
  private static final class StatusException extends RuntimeException {
    StatusException(io.grpc.StatusRuntimeException cause) {
      super(cause);
    }
  }

  @Test
  void aBatchIsOneUpsertThatWaitsUntilApplied() {
    List<PointStruct> batch = batch(3);
    Handler h = send(batch);
    assertEquals(1, h.completed);
    assertNull(h.failed);
    assertEquals(1, requests.size());
    assertEquals("lesions", requests.get(0).getCollectionName());
    assertTrue(requests.get(0).getWait(), "acknowledged must mean applied");
    assertEquals(batch, requests.get(0).getPointsList());
    assertEquals(3, metrics.pointsWritten().getCount());
    assertEquals(0, metrics.sendErrors().getCount());
  }

  @Test
  void unavailableIsRetriedWithGrowingBackoffUntilItSucceeds() {
    answers.add(status(Status.Code.UNAVAILABLE));
    answers.add(status(Status.Code.UNAVAILABLE));
    answers.add(status(Status.Code.UNAVAILABLE));
    Handler h = send(batch(2));
    assertEquals(1, h.completed);
    assertNull(h.failed);
    assertEquals(3, h.retried);
    assertEquals(List.of(100L, 200L, 400L), delays, "exponential, without jitter");
    assertEquals(
        3, connectBackoffResets.get(), "gRPC's own reconnect wait is cut short before each retry");
    assertEquals(3, metrics.retries().getCount());
    assertEquals(
        6, metrics.sendErrors().getCount(), "Flink's standard counter: 2 points failed 3 times");
    assertEquals(2, metrics.pointsWritten().getCount());
  }

  @Test
  void aSuccessStartsTheNextRunOfFailuresAfresh() {
    answers.add(status(Status.Code.ABORTED));
    send(batch(1));
    answers.add(status(Status.Code.RESOURCE_EXHAUSTED));
    Handler h = send(batch(1));
    assertEquals(1, h.completed);
    assertEquals(List.of(100L, 100L), delays);
    assertEquals(0, connectBackoffResets.get(), "only an unreachable server needs a reconnect");
  }

  @Test
  void givesUpOnceFailuresHaveLastedPastTheMaxRetryDuration() {
    for (int i = 0; i < 20; i++) {
      answers.add(status(Status.Code.DEADLINE_EXCEEDED));
    }
    Handler h = send(batch(4));
    assertEquals(0, h.completed);
    QdrantSinkException e = assertInstanceOf(QdrantSinkException.class, h.failed);
    assertTrue(
        e.getMessage().contains("has not accepted an upsert to collection 'lesions'")
            && e.getMessage().contains("DEADLINE_EXCEEDED")
            && e.getMessage().contains("maxRetryDuration=1000 ms"),
        e.getMessage());
    // 100 + 200 + 400 + 400 = 1,100 ms of failures is past the 1 s limit: four retries, five tries.
    assertEquals(List.of(100L, 200L, 400L, 400L), delays);
    assertEquals(5, requests.size());
    assertEquals(20, metrics.sendErrors().getCount());
  }

  @Test
  void aRefusalIsNotRetriedAndFailsWithTheReasonAndWhatToDo() {
    answers.add(status(Status.Code.PERMISSION_DENIED));
    Handler h = send(batch(5));
    QdrantSinkException e = assertInstanceOf(QdrantSinkException.class, h.failed);
    assertTrue(
        e.getMessage().contains("Qdrant at qdrant:6334 rejected an upsert to collection 'lesions'")
            && e.getMessage().contains("PERMISSION_DENIED: said the fake")
            && e.getMessage().contains("a read-only key cannot write"),
        e.getMessage());
    assertEquals(1, requests.size());
    assertTrue(delays.isEmpty());
    assertEquals(5, metrics.sendErrors().getCount());
    assertEquals(0, metrics.retries().getCount());
  }

  @Test
  void anAnswerTooLargeForTheClientIsNotRetriedThoughItIsResourceExhausted() {
    answers.add(
        new StatusException(
            Status.RESOURCE_EXHAUSTED
                .withCause(new AnswerTooLargeException(10))
                .asRuntimeException()));
    Handler h = send(batch(1));
    assertInstanceOf(QdrantSinkException.class, h.failed);
    assertEquals(1, requests.size());
  }

  @Test
  void aRetryDueWhileTheWriterClosesFailsTheBatchInsteadOfLosingIt() {
    closing = true;
    answers.add(status(Status.Code.UNAVAILABLE));
    Handler h = send(batch(1));
    assertTrue(h.failed.getMessage().contains("closed while retrying"), h.failed.getMessage());
  }

  private static PointOp.Delete deleteOf(PointStruct p) {
    return PointOp.delete(List.of(p.getId()), "image_id=" + p.getId().getUuid());
  }

  private static List<PointOp> ops(PointOp... ops) {
    return List.of(ops);
  }

  @Test
  void operationsGoOutInOrderWithConsecutiveUpsertsAsOneRequest() {
    List<PointStruct> p = batch(4);
    PointOp.Delete byFilter =
        PointOp.deleteMatching(
            io.qdrant.client.grpc.Common.Filter.newBuilder()
                .addMust(io.qdrant.client.ConditionFactory.matchKeyword("lesion_id", "L1"))
                .build(),
            "filter={}");
    Handler h =
        sendOps(
            ops(
                PointOp.upsert(p.get(0)),
                PointOp.upsert(p.get(1)),
                deleteOf(p.get(0)),
                PointOp.upsert(p.get(2)),
                byFilter,
                PointOp.upsert(p.get(3))));
    assertEquals(1, h.completed, "one batch, one completion, after the last call");
    assertNull(h.failed);
    assertEquals(5, calls.size(), calls.toString());
    assertEquals(List.of(p.get(0), p.get(1)), ((UpsertPoints) calls.get(0)).getPointsList());
    DeletePoints first = (DeletePoints) calls.get(1);
    assertTrue(first.getWait(), "acknowledged must mean deleted");
    assertEquals("lesions", first.getCollectionName());
    assertEquals(List.of(p.get(0).getId()), first.getPoints().getPoints().getIdsList());
    assertEquals(List.of(p.get(2)), ((UpsertPoints) calls.get(2)).getPointsList());
    assertEquals(byFilter.selector(), ((DeletePoints) calls.get(3)).getPoints());
    assertEquals(List.of(p.get(3)), ((UpsertPoints) calls.get(4)).getPointsList());
    assertEquals(List.of(deleteOf(p.get(0)), byFilter), deleted, "each deletion heard once");
    assertEquals(2, metrics.deletions().getCount());
    assertEquals(4, metrics.pointsWritten().getCount());
  }

  @Test
  void aCallStartsOnlyOnceTheOneBeforeItIsAcknowledged() {
    List<PointStruct> p = batch(2);
    List<SettableFuture<UpdateResult>> pending = new ArrayList<>();
    List<Object> made = new ArrayList<>();
    BatchUpserter held =
        new BatchUpserter(
            "lesions",
            "qdrant:6334",
            RETRY,
            r -> {
              made.add(r);
              SettableFuture<UpdateResult> f = SettableFuture.create();
              pending.add(f);
              return f;
            },
            r -> {
              made.add(r);
              SettableFuture<UpdateResult> f = SettableFuture.create();
              pending.add(f);
              return f;
            },
            (d, ms) -> deleted.add(d),
            () -> {},
            () -> nowMs,
            () -> 0,
            this::schedule,
            metrics);
    Handler h = new Handler();
    held.apply(ops(PointOp.upsert(p.get(0)), deleteOf(p.get(0)), PointOp.upsert(p.get(1))), h);
    assertEquals(1, made.size(), "the delete waits for the upsert before it");
    pending.get(0).set(UpdateResult.getDefaultInstance());
    assertEquals(2, made.size());
    assertInstanceOf(DeletePoints.class, made.get(1));
    assertEquals(0, h.completed);
    pending.get(1).set(UpdateResult.getDefaultInstance());
    assertEquals(3, made.size());
    pending.get(2).set(UpdateResult.getDefaultInstance());
    assertEquals(1, h.completed);
  }

  @Test
  void aFailedDeleteIsRetriedFromItselfOnNotFromTheUpsertsAlreadyApplied() {
    List<PointStruct> p = batch(3);
    answers.add(succeed); // the first upsert
    answers.add(status(Status.Code.UNAVAILABLE)); // the delete fails once
    List<PointOp> batch =
        ops(
            PointOp.upsert(p.get(0)),
            deleteOf(p.get(1)),
            PointOp.upsert(p.get(1)),
            PointOp.upsert(p.get(2)));
    Handler h = sendOps(batch);
    assertEquals(1, h.completed);
    assertEquals(List.of(batch.subList(1, 4)), h.retriedEntries, "the delete and what follows");
    assertEquals(4, calls.size(), "upsert, failed delete, delete, upsert of two");
    assertEquals(calls.get(1), calls.get(2), "the same delete again");
    assertEquals(List.of(p.get(1), p.get(2)), ((UpsertPoints) calls.get(3)).getPointsList());
    assertEquals(1, deleted.size(), "heard once, when applied");
    assertEquals(3, metrics.sendErrors().getCount(), "the three operations not yet applied");
  }

  @Test
  void aRefusedDeleteFailsTheWriterAndSaysItWasADelete() {
    answers.add(status(Status.Code.NOT_FOUND));
    Handler h = sendOps(ops(deleteOf(batch(1).get(0))));
    QdrantSinkException e = assertInstanceOf(QdrantSinkException.class, h.failed);
    assertTrue(
        e.getMessage().contains("rejected a delete to collection 'lesions'"), e.getMessage());
    assertTrue(deleted.isEmpty());
  }

  @Test
  void aListenerThatThrowsFailsTheWriterSoTheReplayIsAuditedAgain() {
    BatchUpserter failingAudit =
        new BatchUpserter(
            "lesions",
            "qdrant:6334",
            RETRY,
            this::upsert,
            this::delete,
            (d, ms) -> {
              throw new IllegalStateException("audit disk full");
            },
            () -> {},
            () -> nowMs,
            () -> 0,
            this::schedule,
            metrics);
    Handler h = new Handler();
    failingAudit.apply(ops(deleteOf(batch(1).get(0))), h);
    assertEquals(0, h.completed);
    assertInstanceOf(QdrantSinkException.class, h.failed);
  }
}
