package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.lesionsearch.qdrant.AnswerTooLargeException;
import io.lesionsearch.qdrant.QdrantConnection;
import io.lesionsearch.testing.QdrantUnderTest;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Which reply code a failed Qdrant call gets, and which calls are tried again: by status and typed
 * cause only.
 */
class QdrantCallsTest {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor();

  @AfterAll
  static void stopTimer() {
    TIMER.shutdownNow();
  }

  private static ErrorCode code(Status status) {
    return QdrantCalls.classify(new CompletionException(status.asRuntimeException())).code();
  }

  @Test
  void statusesMapToReplyCodesWithoutReadingTheirText() {
    assertEquals(
        ErrorCode.COLLECTION_NOT_FOUND, code(Status.NOT_FOUND.withDescription("anything at all")));
    assertEquals(ErrorCode.TIMEOUT, code(Status.DEADLINE_EXCEEDED));
    assertEquals(ErrorCode.QDRANT_UNAVAILABLE, code(Status.UNAVAILABLE));
    assertEquals(
        ErrorCode.QDRANT_ERROR,
        code(Status.INVALID_ARGUMENT.withDescription("Vector dimension error")),
        "a vector's size is checked before the call");
    assertEquals(
        ErrorCode.QDRANT_ERROR,
        code(Status.RESOURCE_EXHAUSTED.withDescription("gRPC message exceeds maximum size 9")),
        "Qdrant's own RESOURCE_EXHAUSTED is an overload, whatever its text");
    assertEquals(
        ErrorCode.REPLY_TOO_LARGE,
        code(Status.RESOURCE_EXHAUSTED.withCause(new AnswerTooLargeException(9))));
    assertEquals(
        ErrorCode.INTERNAL, QdrantCalls.classify(new IllegalStateException("a bug")).code());
    QueryException own = new QueryException(ErrorCode.UNKNOWN_IMAGE_ID, "no such image");
    assertEquals(own, QdrantCalls.classify(new CompletionException(own)));
  }

  @Test
  void unavailableIsTriedAgainWithinTheDeadlineAndOverloadIsNot() throws Exception {
    QdrantCalls calls =
        new QdrantCalls(TIMER, io.grpc.inprocess.InProcessChannelBuilder.forName("none").build());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    AtomicInteger tries = new AtomicInteger();
    String answer =
        calls
            .call(
                timeout ->
                    tries.incrementAndGet() < 3
                        ? Futures.<String>immediateFailedFuture(
                            Status.UNAVAILABLE.asRuntimeException())
                        : Futures.immediateFuture("ok"),
                deadline)
            .get(10, TimeUnit.SECONDS);
    assertEquals("ok", answer);
    assertEquals(3, tries.get());

    AtomicInteger overloaded = new AtomicInteger();
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                calls
                    .call(
                        timeout -> {
                          overloaded.incrementAndGet();
                          return Futures.<String>immediateFailedFuture(
                              Status.RESOURCE_EXHAUSTED.asRuntimeException());
                        },
                        deadline)
                    .get(10, TimeUnit.SECONDS));
    assertEquals(1, overloaded.get());
    assertEquals(ErrorCode.QDRANT_ERROR, QdrantCalls.classify(e.getCause()).code());
  }

  @Test
  void theChannelMarksItsOwnRefusalOfAnAnswerOverItsLimit() throws Exception {
    try (QdrantUnderTest qdrant = QdrantUnderTest.start()) {
      String collection = qdrant.collection("big-answers");
      QdrantClient admin = qdrant.client();
      admin
          .createCollectionAsync(
              collection, VectorParams.newBuilder().setSize(2).setDistance(Distance.Cosine).build())
          .get();
      List<PointStruct> points = new ArrayList<>();
      for (int i = 1; i <= 20; i++) {
        points.add(
            PointStruct.newBuilder()
                .setId(PointIdFactory.id(i))
                .setVectors(VectorsFactory.vectors(1f, i))
                .putPayload("notes", ValueFactory.value("x".repeat(500)))
                .build());
      }
      admin.upsertAsync(collection, points).get();
      try (QdrantClient small =
          QdrantConnection.of(qdrant.host(), qdrant.port())
              .withApiKey(qdrant.apiKey())
              .withMaxInboundBytes(2000)
              .open()) {
        ListenableFuture<?> search =
            small.searchAsync(
                SearchPoints.newBuilder()
                    .setCollectionName(collection)
                    .addAllVector(List.of(1f, 1f))
                    .setLimit(20)
                    .setWithPayload(WithPayloadSelector.newBuilder().setEnable(true))
                    .build());
        Exception e = assertThrows(Exception.class, () -> search.get(30, TimeUnit.SECONDS));
        QueryException q = QdrantCalls.classify(e);
        assertEquals(ErrorCode.REPLY_TOO_LARGE, q.code(), q.getMessage());
        assertTrue(q.getMessage().contains("raise --qdrant-max-inbound-bytes"), q.getMessage());
      }
    }
  }
}
