package io.lesionsearch.qdrantlocal;

import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.PointIdFactory.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Concurrent writers and readers over real gRPC (Netty on loopback, or the real server). */
class ConcurrencyTest {
  private static final int DIM = 16;

  @RegisterExtension static final QdrantFixture q = QdrantFixture.perClass();

  private static PointStruct point(long id, int writer) {
    float[] v = new float[DIM];
    v[(int) (id % DIM)] = 1f;
    v[(int) ((id * 7 + 3) % DIM)] += 0.5f;
    return PointStruct.newBuilder()
        .setId(id(id))
        .setVectors(VectorsFactory.vectors(v))
        .putPayload("writer", io.qdrant.client.ValueFactory.value("w" + writer))
        .build();
  }

  private static SearchPoints search(String c, float[] v, Filter f, int limit) {
    SearchPoints.Builder b = SearchPoints.newBuilder().setCollectionName(c).setLimit(limit);
    for (float x : v) {
      b.addVector(x);
    }
    if (f != null) {
      b.setFilter(f);
    }
    return b.build();
  }

  @Test
  @DisplayName(
      "concurrent upserts and filtered searches are safe, and a point upserted with"
          + " wait=true is visible to the very next search")
  void concurrentUpsertsAndSearches() throws Exception {
    int writers = 3;
    int perWriter = 600;
    QdrantClient client = q.client;
    String c = q.create("concurrent", DIM, Distance.Cosine);
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Future<Integer>> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      readers.add(
          pool.submit(
              () -> {
                int n = 0;
                while (writing.get()) {
                  List<ScoredPoint> hits =
                      client
                          .searchAsync(
                              search(
                                  c,
                                  new float[DIM],
                                  Filter.newBuilder().addMust(matchKeyword("writer", "w1")).build(),
                                  20))
                          .get();
                  for (ScoredPoint p : hits) {
                    assertEquals(
                        1,
                        (p.getId().getNum() / perWriter) % writers,
                        "filter must hold while points are being written");
                  }
                  n++;
                }
                return n;
              }));
    }
    List<Future<?>> writes = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      writes.add(
          pool.submit(
              () -> {
                for (int i = 0; i < perWriter; i += 20) {
                  List<PointStruct> batch = new ArrayList<>();
                  for (int j = i; j < i + 20; j++) {
                    batch.add(point((long) writer * perWriter + j, writer));
                  }
                  client.upsertAsync(c, batch).get();
                  // Read-your-write: the last point of the batch must be found right away.
                  PointStruct last = batch.get(batch.size() - 1);
                  float[] v = new float[DIM];
                  for (int k = 0; k < DIM; k++) {
                    v[k] = last.getVectors().getVector().getDense().getData(k);
                  }
                  List<ScoredPoint> hits =
                      client
                          .searchAsync(
                              search(
                                  c,
                                  v,
                                  Filter.newBuilder()
                                      .addMust(
                                          io.qdrant.client.ConditionFactory.hasId(last.getId()))
                                      .build(),
                                  1))
                          .get();
                  assertEquals(1, hits.size(), "point upserted with wait=true not visible");
                }
                return null;
              }));
    }
    for (Future<?> f : writes) {
      f.get(60, TimeUnit.SECONDS);
    }
    writing.set(false);
    int searches = 0;
    for (Future<Integer> f : readers) {
      searches += f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertTrue(searches > 0);
    assertEquals((long) writers * perWriter, client.countAsync(c).get());
    assertEquals(
        perWriter,
        client
            .countAsync(c, Filter.newBuilder().addMust(matchKeyword("writer", "w2")).build(), true)
            .get());
  }

  @Test
  @DisplayName("deletes interleaved with searches leave a consistent count")
  void concurrentDeletes() throws Exception {
    QdrantClient client = q.client;
    String c = q.create("deletes", DIM, Distance.Dot);
    List<PointStruct> all = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      all.add(point(i, i % 2));
    }
    client.upsertAsync(c, all).get();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Future<?> deleter =
        pool.submit(
            () -> {
              for (int i = 0; i < 500; i += 2) {
                client.deleteAsync(c, List.of(id(i))).get();
              }
              return null;
            });
    Future<?> searcher =
        pool.submit(
            () -> {
              float[] v = new float[DIM];
              v[0] = 1f;
              while (!deleter.isDone()) {
                client.searchAsync(search(c, v, null, 50)).get();
              }
              return null;
            });
    deleter.get(60, TimeUnit.SECONDS);
    searcher.get(60, TimeUnit.SECONDS);
    pool.shutdown();
    assertEquals(250L, client.countAsync(c).get());
    assertEquals(
        0L,
        client
            .countAsync(c, Filter.newBuilder().addMust(matchKeyword("writer", "w0")).build(), true)
            .get());
  }
}
