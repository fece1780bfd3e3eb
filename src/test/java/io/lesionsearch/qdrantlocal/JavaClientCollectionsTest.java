package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.QdrantFixture.assertFails;
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
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scenarios of qdrant/java-client src/test/java/io/qdrant/client/CollectionsTest.java. */
class JavaClientCollectionsTest {
  @RegisterExtension static final QdrantFixture q = QdrantFixture.perClass();

  /** collections_test in the original; unique here because the server may be shared. */
  String name;

  @BeforeEach
  void name() {
    name = q.collection("collections_test");
  }

  private static CreateCollection request(String name) {
    return CreateCollection.newBuilder()
        .setCollectionName(name)
        .setVectorsConfig(
            VectorsConfig.newBuilder()
                .setParams(VectorParams.newBuilder().setDistance(Distance.Cosine).setSize(4)))
        .build();
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::createCollection")
  void createCollection() throws Exception {
    q.client
        .createCollectionAsync(
            name, VectorParams.newBuilder().setDistance(Distance.Cosine).setSize(4).build())
        .get();
    assertTrue(q.client.listCollectionsAsync().get().contains(name));
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::createCollection_for_existing_collection")
  void createExisting() throws Exception {
    q.client.createCollectionAsync(request(name)).get();
    Status s = QdrantFixture.failure(q.client.createCollectionAsync(request(name)));
    assertEquals(Status.Code.ALREADY_EXISTS, s.getCode());
    assertEquals("Wrong input: Collection `" + name + "` already exists!", s.getDescription());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::createCollection_with_no_collection_name")
  void createWithoutName() {
    // The client itself refuses, before any call is made.
    assertThrows(
        IllegalArgumentException.class, () -> q.client.createCollectionAsync(request("")).get());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::recreateCollection")
  void recreateCollection() throws Exception {
    q.client.createCollectionAsync(request(name)).get();
    q.client.recreateCollectionAsync(request(name)).get();
    assertTrue(q.client.listCollectionsAsync().get().contains(name));
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::deleteCollection")
  void deleteCollection() throws Exception {
    q.client.createCollectionAsync(request(name)).get();
    q.client.deleteCollectionAsync(name).get();
    assertFalse(q.client.listCollectionsAsync().get().contains(name));
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::deleteCollection_with_missing_collection")
  void deleteMissing() {
    // The server answers result=false; the client turns that into a QdrantException.
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> q.client.deleteCollectionAsync(name).get());
    assertInstanceOf(QdrantException.class, e.getCause());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::getCollectionInfo")
  void getCollectionInfo() throws Exception {
    q.client.createCollectionAsync(request(name)).get();
    CollectionInfo info = q.client.getCollectionInfoAsync(name).get();
    assertEquals(CollectionStatus.Green, info.getStatus());
    assertEquals(0, info.getPointsCount());
    VectorParams p = info.getConfig().getParams().getVectorsConfig().getParams();
    assertEquals(4, p.getSize());
    assertEquals(Distance.Cosine, p.getDistance());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::getCollectionInfo_with_missing_collection")
  void getMissing() {
    Status s = QdrantFixture.failure(q.client.getCollectionInfoAsync(name));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals("Not found: Collection `" + name + "` doesn't exist!", s.getDescription());
  }

  @Test
  @DisplayName("qdrant/java-client CollectionsTest::collectionExists")
  void collectionExists() throws Exception {
    assertFalse(q.client.collectionExistsAsync(name).get());
    q.client.createCollectionAsync(request(name)).get();
    assertTrue(q.client.collectionExistsAsync(name).get());
    q.client.deleteCollectionAsync(name).get();
    assertFalse(q.client.collectionExistsAsync(name).get());
  }

  @Test
  @DisplayName("a new collection has no aliases (listCollectionAliases, listAliases)")
  void noAliases() throws Exception {
    q.client.createCollectionAsync(request(name)).get();
    assertTrue(q.client.listCollectionAliasesAsync(name).get().isEmpty());
    // The server may be shared: only this collection's aliases are ours to check.
    assertTrue(
        q.client.listAliasesAsync().get().stream()
            .noneMatch(a -> a.getCollectionName().equals(name)));
  }

  @Test
  @DisplayName("All four distances can be created; an unknown one is refused")
  void distances() throws Exception {
    for (Distance d :
        new Distance[] {Distance.Cosine, Distance.Dot, Distance.Euclid, Distance.Manhattan}) {
      String c = q.collection("d_" + d);
      q.client
          .createCollectionAsync(c, VectorParams.newBuilder().setDistance(d).setSize(3).build())
          .get();
      assertEquals(
          d,
          q.client
              .getCollectionInfoAsync(c)
              .get()
              .getConfig()
              .getParams()
              .getVectorsConfig()
              .getParams()
              .getDistance());
    }
    assertFails(
        Status.Code.INVALID_ARGUMENT,
        q.client.createCollectionAsync(
            q.collection("bad"),
            VectorParams.newBuilder().setDistance(Distance.UnknownDistance).setSize(3).build()));
    assertFails(
        Status.Code.INVALID_ARGUMENT,
        q.client.createCollectionAsync(
            q.collection("zero"),
            VectorParams.newBuilder().setDistance(Distance.Dot).setSize(0).build()));
  }
}
