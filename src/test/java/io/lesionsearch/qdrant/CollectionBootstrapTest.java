package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.qdrantlocal.QdrantLocalServer;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CollectionBootstrapTest {
  private QdrantLocalServer server;
  private QdrantClient client;

  @BeforeEach
  void start() throws Exception {
    server = QdrantLocalServer.builder().inProcess("bootstrap-" + UUID.randomUUID()).start();
    client = server.newClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void createsCosineCollectionWithPayloadIndexes() throws Exception {
    assertEquals(CollectionBootstrap.Outcome.CREATED,
        CollectionBootstrap.ensure(client, "lesions", 384));
    CollectionInfo info = client.getCollectionInfoAsync("lesions").get();
    VectorParams p = info.getConfig().getParams().getVectorsConfig().getParams();
    assertEquals(384, p.getSize());
    assertEquals(Distance.Cosine, p.getDistance());
    Map<String, PayloadSchemaInfo> schema = info.getPayloadSchemaMap();
    assertEquals(7, schema.size(), schema.keySet().toString());
    for (String k : List.of("dx", "dx_type", "sex", "localization", "lesion_id", "image_id")) {
      assertEquals(PayloadSchemaType.Keyword, schema.get(k).getDataType(), k);
    }
    assertEquals(PayloadSchemaType.Float, schema.get("age").getDataType());
  }

  @Test
  void acceptsAnExistingMatchingCollectionAndKeepsItsPoints() throws Exception {
    CollectionBootstrap.ensure(client, "lesions", 4);
    client.upsertAsync("lesions", List.of(PointConversion.toPointStruct(
        LesionPoint.of(UUID.randomUUID().toString(), new float[] {1, 2, 3, 4}, "{}")))).get();
    assertEquals(CollectionBootstrap.Outcome.EXISTED,
        CollectionBootstrap.ensure(client, "lesions", 4));
    assertEquals(1L, client.countAsync("lesions").get());
  }

  @Test
  void addsMissingIndexesToAnExistingCollection() throws Exception {
    client.createCollectionAsync("made-by-hand",
        VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build()).get();
    assertEquals(CollectionBootstrap.Outcome.EXISTED,
        CollectionBootstrap.ensure(client, "made-by-hand", 4));
    assertEquals(7, client.getCollectionInfoAsync("made-by-hand").get().getPayloadSchemaCount());
  }

  @Test
  void refusesAnotherSizeNamingCollectionSizesAndWhatToDo() throws Exception {
    client.createCollectionAsync("old-model",
        VectorParams.newBuilder().setSize(512).setDistance(Distance.Cosine).build()).get();
    CollectionMismatchException e = assertThrows(CollectionMismatchException.class,
        () -> CollectionBootstrap.ensure(client, "old-model", 384));
    String m = e.getMessage();
    assertTrue(m.contains("'old-model'") && m.contains("size 512") && m.contains("size 384")
        && m.contains("another collection") && m.contains("delete"), m);
    // Nothing was deleted or recreated.
    assertEquals(512, client.getCollectionInfoAsync("old-model").get().getConfig().getParams()
        .getVectorsConfig().getParams().getSize());
  }

  @Test
  void refusesAnotherDistance() throws Exception {
    client.createCollectionAsync("dot",
        VectorParams.newBuilder().setSize(384).setDistance(Distance.Dot).build()).get();
    CollectionMismatchException e = assertThrows(CollectionMismatchException.class,
        () -> CollectionBootstrap.ensure(client, "dot", 384));
    assertTrue(e.getMessage().contains("distance Dot") && e.getMessage().contains("Cosine"),
        e.getMessage());
  }

  @Test
  void parallelInstancesRacingToCreateAllSucceedAndOneCreates() throws Exception {
    int n = 6;
    CyclicBarrier barrier = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    List<QdrantClient> clients = new ArrayList<>();
    try {
      List<Future<CollectionBootstrap.Outcome>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        QdrantClient c = server.newClient();
        clients.add(c);
        Callable<CollectionBootstrap.Outcome> task = () -> {
          barrier.await();
          return CollectionBootstrap.ensure(c, "raced", 384);
        };
        results.add(pool.submit(task));
      }
      int created = 0;
      for (Future<CollectionBootstrap.Outcome> f : results) {
        if (f.get() == CollectionBootstrap.Outcome.CREATED) {
          created++;
        }
      }
      assertEquals(1, created);
      assertEquals(7, client.getCollectionInfoAsync("raced").get().getPayloadSchemaCount());
    } finally {
      pool.shutdownNow();
      clients.forEach(QdrantClient::close);
    }
  }
}
