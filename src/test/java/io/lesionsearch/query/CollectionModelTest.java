package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.qdrant.ModelCollections;
import io.lesionsearch.testing.QdrantServer;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job's collection name resolved to a physical collection and its model, and the checks. */
class CollectionModelTest {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor();
  @RegisterExtension static final QdrantServer QDRANT = new QdrantServer();

  @AfterAll
  static void stopTimer() {
    TIMER.shutdownNow();
  }

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final List<CompletableFuture<CollectionModel.Target>> asked = new ArrayList<>();

  private CollectionModel faked() {
    return new CollectionModel(
        deadline -> {
          CompletableFuture<CollectionModel.Target> f = new CompletableFuture<>();
          asked.add(f);
          return f;
        },
        clock::get);
  }

  private static final CollectionModel.Target A =
      new CollectionModel.Target("lesions", "lesions__a", "a", 4);

  @Test
  void anAnswerIsUsedForTwoSecondsThenAskedAgain() {
    CollectionModel m = faked();
    CompletableFuture<CollectionModel.Target> first = m.current(0);
    assertSame(first, m.current(0)); // in flight: not asked twice
    first.complete(A);
    clock.addAndGet(CollectionModel.MAX_AGE_NANOS - 1);
    assertSame(first, m.current(0));
    clock.addAndGet(1);
    assertTrue(m.current(0) != first);
    assertEquals(2, asked.size());
  }

  @Test
  void anAgeingAnswerIsRefreshedInTheBackgroundWhileSearchesUseIt() {
    CollectionModel m = faked();
    CompletableFuture<CollectionModel.Target> first = m.current(0);
    first.complete(A);
    clock.addAndGet(CollectionModel.REFRESH_AFTER_NANOS - 1);
    assertSame(first, m.current(0));
    assertEquals(1, asked.size(), "young enough: not asked again");
    clock.addAndGet(1);
    assertSame(first, m.current(0), "the search does not wait for the new answer");
    assertSame(first, m.current(0));
    assertEquals(2, asked.size(), "asked once in the background");
    CollectionModel.Target b = new CollectionModel.Target("lesions", "lesions__b", "b", 4);
    asked.get(1).complete(b);
    assertEquals(b, m.current(0).join(), "the new answer replaces the old once it has come");
    assertEquals(2, asked.size());
  }

  @Test
  void aFailedBackgroundAnswerKeepsTheOldOneUntilItExpires() {
    CollectionModel m = faked();
    CompletableFuture<CollectionModel.Target> first = m.current(0);
    first.complete(A);
    clock.addAndGet(CollectionModel.REFRESH_AFTER_NANOS);
    assertSame(first, m.current(0));
    asked.get(1).completeExceptionally(new IllegalStateException("down"));
    assertSame(first, m.current(0));
    assertEquals(3, asked.size(), "asked again in the background");
    clock.addAndGet(CollectionModel.MAX_AGE_NANOS - CollectionModel.REFRESH_AFTER_NANOS);
    assertSame(asked.get(2), m.current(0), "expired: the lookup under way answers");
    assertEquals(3, asked.size());
  }

  @Test
  void aFailedAnswerOrForgetAsksAgainAtOnce() {
    CollectionModel m = faked();
    m.current(0).completeExceptionally(new IllegalStateException("down"));
    m.current(0).complete(A);
    assertEquals(2, asked.size());
    m.forget();
    var unused = m.current(0);
    assertEquals(3, asked.size());
  }

  private static ErrorCode code(Runnable check) {
    CompletionException e = assertThrows(CompletionException.class, check::run);
    return ((QueryException) e.getCause()).code();
  }

  @Test
  void anotherModelIsRefusedNamingBothAndACollectionWithoutModelIsAccepted() {
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () -> CollectionModel.requireModel(A, "b", "this job embeds images with"));
    QueryException q = (QueryException) e.getCause();
    assertEquals(ErrorCode.MODEL_MISMATCH, q.code());
    assertEquals(
        "this job embeds images with model 'b', but collection lesions (alias of lesions__a)"
            + " holds vectors of model 'a'; vectors of two models are never compared",
        q.getMessage());
    CollectionModel.requireModel(A, "a", "x");
    CollectionModel.requireModel(new CollectionModel.Target("old", "old", null, 4), "b", "x");
    String huge = "m".repeat(10_000);
    QueryException bounded =
        (QueryException)
            assertThrows(
                    CompletionException.class, () -> CollectionModel.requireModel(A, huge, "x"))
                .getCause();
    assertTrue(bounded.getMessage().length() < 400, bounded.getMessage());
  }

  @Test
  void aVectorOfAnotherSizeIsRefused() {
    float[] fits = {1, 2, 3, 4};
    assertArrayEquals(fits, CollectionModel.requireSize(A, fits));
    assertEquals(
        ErrorCode.VECTOR_SIZE_MISMATCH,
        code(() -> CollectionModel.requireSize(A, new float[] {1, 2, 3})));
  }

  private static CollectionModel.Target resolve(QdrantClient client, String name) throws Exception {
    QdrantCalls calls =
        new QdrantCalls(TIMER, io.grpc.inprocess.InProcessChannelBuilder.forName("unused").build());
    return CollectionModel.qdrant(calls, client, name)
        .resolve(System.nanoTime() + TimeUnit.SECONDS.toNanos(30))
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void qdrantLookupFollowsTheAliasAndReadsTheModel() throws Exception {
    QdrantClient client = QDRANT.get().client();
    String alias = QDRANT.get().collection("cm");
    String a = ModelCollections.physicalName(alias, "a");
    String b = ModelCollections.physicalName(alias, "b");
    for (String[] c : new String[][] {{a, "a"}, {b, "b"}}) {
      client
          .createCollectionAsync(
              CreateCollection.newBuilder()
                  .setCollectionName(c[0])
                  .setVectorsConfig(
                      VectorsConfig.newBuilder()
                          .setParams(
                              VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine)))
                  .putAllMetadata(ModelCollections.metadata(c[1], 4))
                  .build())
          .get();
    }
    client.createAliasAsync(alias, a).get();
    assertEquals(new CollectionModel.Target(alias, a, "a", 4), resolve(client, alias));
    client.createAliasAsync(alias, b).get();
    assertEquals(new CollectionModel.Target(alias, b, "b", 4), resolve(client, alias));
    assertEquals(new CollectionModel.Target(a, a, "a", 4), resolve(client, a));
  }
}
