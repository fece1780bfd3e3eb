package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lesionsearch.testing.QdrantServer;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A query vector checked against the collection's size before the search, with the in-process
 * endpoint as Qdrant.
 */
class CollectionVectorSizeTest {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor();
  @RegisterExtension static final QdrantServer QDRANT = new QdrantServer();
  private static QdrantClient client;

  @BeforeAll
  static void connect() {
    client = QDRANT.get().client();
  }

  @AfterAll
  static void stopTimer() {
    TIMER.shutdownNow();
  }

  private static CollectionVectorSize sizeOf(String collection) {
    return new CollectionVectorSize(
        new QdrantCalls(TIMER, io.grpc.inprocess.InProcessChannelBuilder.forName("unused").build()),
        client,
        collection);
  }

  private static ErrorCode refusal(CompletableFuture<float[]> checked) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> checked.get(30, TimeUnit.SECONDS));
    return QdrantCalls.classify(e).code();
  }

  private static long deadline() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
  }

  @Test
  void aVectorOfAnotherSizeIsRefusedAndOneOfTheRightSizePasses() throws Exception {
    String collection = QDRANT.get().collection("four");
    client
        .createCollectionAsync(
            collection, VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build())
        .get();
    CollectionVectorSize size = sizeOf(collection);
    float[] fits = {1, 2, 3, 4};
    assertArrayEquals(
        fits,
        size.check(CompletableFuture.completedFuture(fits), deadline()).get(30, TimeUnit.SECONDS));
    assertEquals(
        ErrorCode.VECTOR_SIZE_MISMATCH,
        refusal(size.check(CompletableFuture.completedFuture(new float[] {1, 2, 3}), deadline())));
  }

  @Test
  void aMissingCollectionIsSaidSoAndAskedAgainNextTime() throws Exception {
    String collection = QDRANT.get().collection("later");
    CollectionVectorSize size = sizeOf(collection);
    assertEquals(
        ErrorCode.COLLECTION_NOT_FOUND,
        refusal(size.check(CompletableFuture.completedFuture(new float[] {1, 2}), deadline())));
    client
        .createCollectionAsync(
            collection, VectorParams.newBuilder().setSize(2).setDistance(Distance.Cosine).build())
        .get();
    assertArrayEquals(
        new float[] {1, 2},
        size.check(CompletableFuture.completedFuture(new float[] {1, 2}), deadline())
            .get(30, TimeUnit.SECONDS));
  }
}
