package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.LocalQdrant.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.qdrant.client.QdrantException;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionStatus;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.UpdateCollection;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The scenarios of qdrant/java-client src/test/java/io/qdrant/client/CollectionsTest.java. */
class JavaClientCollectionsTest {
  static final String NAME = "collections_test";
  static LocalQdrant q;

  @BeforeAll
  static void start() {
    q = LocalQdrant.inProcess();
  }

  @AfterAll
  static void stop() {
    q.close();
  }

  @AfterEach
  void drop() throws Exception {
    q.dropAll();
  }

  private static CreateCollection request(String name) {
    return CreateCollection.newBuilder().setCollectionName(name)
        .setVectorsConfig(VectorsConfig.newBuilder().setParams(
            VectorParams.newBuilder().setDistance(Distance.Cosine).setSize(4)))
        .build();
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::createCollection")
  void createCollection() throws Exception {
    q.client.createCollectionAsync(NAME,
        VectorParams.newBuilder().setDistance(Distance.Cosine).setSize(4).build()).get();
    assertTrue(q.client.listCollectionsAsync().get().contains(NAME));
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::createCollection_for_existing_collection")
  void createExisting() throws Exception {
    q.client.createCollectionAsync(request(NAME)).get();
    Status s = LocalQdrant.failure(q.client.createCollectionAsync(request(NAME)));
    assertEquals(Status.Code.ALREADY_EXISTS, s.getCode());
    assertEquals("Wrong input: Collection `" + NAME + "` already exists!", s.getDescription());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::createCollection_with_no_collection_name")
  void createWithoutName() {
    // The client itself refuses, before any call is made.
    assertThrows(IllegalArgumentException.class,
        () -> q.client.createCollectionAsync(request("")).get());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::recreateCollection")
  void recreateCollection() throws Exception {
    q.client.createCollectionAsync(request(NAME)).get();
    q.client.recreateCollectionAsync(request(NAME)).get();
    assertTrue(q.client.listCollectionsAsync().get().contains(NAME));
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::updateCollection (refused: parameters are fixed)")
  void updateCollectionRefused() throws Exception {
    q.client.createCollectionAsync(request(NAME)).get();
    assertFails(Status.Code.UNIMPLEMENTED, q.client.updateCollectionAsync(
        UpdateCollection.newBuilder().setCollectionName(NAME).build()));
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::deleteCollection")
  void deleteCollection() throws Exception {
    q.client.createCollectionAsync(request(NAME)).get();
    q.client.deleteCollectionAsync(NAME).get();
    assertTrue(q.client.listCollectionsAsync().get().isEmpty());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::deleteCollection_with_missing_collection")
  void deleteMissing() {
    // The server answers result=false; the client turns that into a QdrantException.
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> q.client.deleteCollectionAsync(NAME).get());
    assertInstanceOf(QdrantException.class, e.getCause());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::getCollectionInfo")
  void getCollectionInfo() throws Exception {
    q.client.createCollectionAsync(request(NAME)).get();
    CollectionInfo info = q.client.getCollectionInfoAsync(NAME).get();
    assertEquals(CollectionStatus.Green, info.getStatus());
    assertEquals(0, info.getPointsCount());
    VectorParams p = info.getConfig().getParams().getVectorsConfig().getParams();
    assertEquals(4, p.getSize());
    assertEquals(Distance.Cosine, p.getDistance());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::getCollectionInfo_with_missing_collection")
  void getMissing() {
    Status s = LocalQdrant.failure(q.client.getCollectionInfoAsync(NAME));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals("Not found: Collection `" + NAME + "` doesn't exist!", s.getDescription());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::collectionExists")
  void collectionExists() throws Exception {
    assertFalse(q.client.collectionExistsAsync(NAME).get());
    q.client.createCollectionAsync(request(NAME)).get();
    assertTrue(q.client.collectionExistsAsync(NAME).get());
    q.client.deleteCollectionAsync(NAME).get();
    assertFalse(q.client.collectionExistsAsync(NAME).get());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::createAlias (refused) and listAliases (none)")
  void aliases() throws Exception {
    q.client.createCollectionAsync(request(NAME)).get();
    assertFails(Status.Code.UNIMPLEMENTED, q.client.createAliasAsync("alias_1", NAME));
    assertTrue(q.client.listAliasesAsync().get().isEmpty());
    assertTrue(q.client.listCollectionAliasesAsync(NAME).get().isEmpty());
  }

  @Test
  @DisplayName("All four distances can be created; an unknown one is refused")
  void distances() throws Exception {
    for (Distance d : new Distance[] {Distance.Cosine, Distance.Dot, Distance.Euclid,
        Distance.Manhattan}) {
      q.client.createCollectionAsync("d_" + d, VectorParams.newBuilder().setDistance(d)
          .setSize(3).build()).get();
      assertEquals(d, q.client.getCollectionInfoAsync("d_" + d).get().getConfig().getParams()
          .getVectorsConfig().getParams().getDistance());
    }
    assertFails(Status.Code.INVALID_ARGUMENT, q.client.createCollectionAsync("bad",
        VectorParams.newBuilder().setDistance(Distance.UnknownDistance).setSize(3).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, q.client.createCollectionAsync("zero",
        VectorParams.newBuilder().setDistance(Distance.Dot).setSize(0).build()));
  }
}
