package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.payload.LesionPayload;
import io.lesionsearch.testing.QdrantUnderTest;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.PointStruct;
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
  private QdrantUnderTest qdrant;
  private QdrantClient client;
  private final Map<String, String> names = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    qdrant = QdrantUnderTest.start();
    client = qdrant.client();
  }

  @AfterEach
  void stop() {
    qdrant.close();
  }

  /** This test's collection for {@code prefix}: unique, so that tests can share a real server. */
  private String name(String prefix) {
    return names.computeIfAbsent(prefix, qdrant::collection);
  }

  @Test
  void createsCosineCollectionWithPayloadIndexes() throws Exception {
    assertEquals(
        CollectionBootstrap.Outcome.CREATED,
        CollectionBootstrap.ensure(client, name("lesions"), 384, LesionPayload.INDEXES));
    CollectionInfo info = client.getCollectionInfoAsync(name("lesions")).get();
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
    CollectionBootstrap.ensure(client, name("lesions"), 4, LesionPayload.INDEXES);
    client
        .upsertAsync(
            name("lesions"),
            List.of(
                PointStruct.newBuilder()
                    .setId(PointIdFactory.id(UUID.randomUUID()))
                    .setVectors(VectorsFactory.vectors(1, 2, 3, 4))
                    .build()))
        .get();
    assertEquals(
        CollectionBootstrap.Outcome.EXISTED,
        CollectionBootstrap.ensure(client, name("lesions"), 4, LesionPayload.INDEXES));
    assertEquals(1L, client.countAsync(name("lesions")).get());
  }

  @Test
  void addsMissingIndexesToAnExistingCollection() throws Exception {
    client
        .createCollectionAsync(
            name("made-by-hand"),
            VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build())
        .get();
    assertEquals(
        CollectionBootstrap.Outcome.EXISTED,
        CollectionBootstrap.ensure(client, name("made-by-hand"), 4, LesionPayload.INDEXES));
    assertEquals(
        7, client.getCollectionInfoAsync(name("made-by-hand")).get().getPayloadSchemaCount());
  }

  @Test
  void refusesAnotherSizeNamingCollectionSizesAndWhatToDo() throws Exception {
    client
        .createCollectionAsync(
            name("old-model"),
            VectorParams.newBuilder().setSize(512).setDistance(Distance.Cosine).build())
        .get();
    CollectionMismatchException e =
        assertThrows(
            CollectionMismatchException.class,
            () ->
                CollectionBootstrap.ensure(client, name("old-model"), 384, LesionPayload.INDEXES));
    String m = e.getMessage();
    assertTrue(
        m.contains("'" + name("old-model") + "'")
            && m.contains("size 512")
            && m.contains("size 384")
            && m.contains("another collection")
            && m.contains("delete"),
        m);
    // Nothing was deleted or recreated.
    assertEquals(
        512,
        client
            .getCollectionInfoAsync(name("old-model"))
            .get()
            .getConfig()
            .getParams()
            .getVectorsConfig()
            .getParams()
            .getSize());
  }

  @Test
  void refusesAnotherDistance() throws Exception {
    client
        .createCollectionAsync(
            name("dot"), VectorParams.newBuilder().setSize(384).setDistance(Distance.Dot).build())
        .get();
    CollectionMismatchException e =
        assertThrows(
            CollectionMismatchException.class,
            () -> CollectionBootstrap.ensure(client, name("dot"), 384, LesionPayload.INDEXES));
    assertTrue(
        e.getMessage().contains("distance Dot") && e.getMessage().contains("Cosine"),
        e.getMessage());
  }

  @Test
  void parallelInstancesRacingToCreateAllSucceedAndOneCreates() throws Exception {
    int n = 6;
    CyclicBarrier barrier = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<CollectionBootstrap.Outcome>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        QdrantClient c = qdrant.client();
        Callable<CollectionBootstrap.Outcome> task =
            () -> {
              barrier.await();
              return CollectionBootstrap.ensure(c, name("raced"), 384, LesionPayload.INDEXES);
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
      assertEquals(7, client.getCollectionInfoAsync(name("raced")).get().getPayloadSchemaCount());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aNewNameBecomesAnAliasOfTheModelsCollectionWhichRecordsTheModel() throws Exception {
    String alias = name("models");
    String physical = ModelCollections.physicalName(alias, "vit-small/v1");
    try {
      assertEquals(
          CollectionBootstrap.Outcome.CREATED,
          CollectionBootstrap.ensure(client, alias, 4, "vit-small/v1", LesionPayload.INDEXES));
      assertEquals(alias + "__vit-small_v1", physical);
      assertEquals(List.of(alias), client.listCollectionAliasesAsync(physical).get());
      CollectionInfo info = client.getCollectionInfoAsync(alias).get();
      assertEquals("vit-small/v1", ModelCollections.modelId(info));
      assertEquals(
          4L,
          info.getConfig().getMetadataMap().get(ModelCollections.VECTOR_SIZE).getIntegerValue());
      // Again, as a restarted writer does: the alias is the collection now.
      assertEquals(
          CollectionBootstrap.Outcome.EXISTED,
          CollectionBootstrap.ensure(client, alias, 4, "vit-small/v1", LesionPayload.INDEXES));
    } finally {
      client.deleteCollectionAsync(physical).get();
    }
  }

  @Test
  void aPhysicalNameIsCreatedAsItIsWithoutAlias() throws Exception {
    String physical = ModelCollections.physicalName(name("phys"), "m2");
    try {
      CollectionBootstrap.ensure(client, physical, 4, "m2", LesionPayload.INDEXES);
      assertEquals(List.of(), client.listCollectionAliasesAsync(physical).get());
      assertEquals("m2", ModelCollections.modelId(client.getCollectionInfoAsync(physical).get()));
    } finally {
      client.deleteCollectionAsync(physical).get();
    }
  }

  @Test
  void refusesACollectionOfAnotherModelNamingBoth() throws Exception {
    String physical = ModelCollections.physicalName(name("other"), "model-a");
    try {
      CollectionBootstrap.ensure(client, physical, 4, "model-a", LesionPayload.INDEXES);
      CollectionMismatchException e =
          assertThrows(
              CollectionMismatchException.class,
              () ->
                  CollectionBootstrap.ensure(
                      client, physical, 4, "model-b", LesionPayload.INDEXES));
      assertTrue(
          e.getMessage().contains("'model-a'")
              && e.getMessage().contains("'model-b'")
              && e.getMessage().contains("reindex"),
          e.getMessage());
    } finally {
      client.deleteCollectionAsync(physical).get();
    }
  }

  @Test
  void acceptsACollectionThatRecordsNoModel() throws Exception {
    client
        .createCollectionAsync(
            name("legacy"),
            VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build())
        .get();
    assertEquals(
        CollectionBootstrap.Outcome.EXISTED,
        CollectionBootstrap.ensure(client, name("legacy"), 4, "any-model", LesionPayload.INDEXES));
  }
}
