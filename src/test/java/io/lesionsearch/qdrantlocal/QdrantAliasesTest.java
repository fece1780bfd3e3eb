package io.lesionsearch.qdrantlocal;

import static io.lesionsearch.qdrantlocal.QdrantFixture.failure;
import static io.lesionsearch.qdrantlocal.QdrantFixture.ids;
import static io.lesionsearch.qdrantlocal.QdrantFixture.point;
import static io.lesionsearch.qdrantlocal.QdrantFixture.setOf;
import static io.qdrant.client.PointIdFactory.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.CreateAlias;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteAlias;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.RenameAlias;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.SearchPoints;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Aliases as Qdrant has them (tests/openapi/test_alias.py, lib/storage/tests/integration/
 * alias_tests.rs, toc/collection_meta_ops.rs update_aliases); runs against the Qdrant under test.
 * The server may be shared: aliases get unique names and only point at this test's collections,
 * which take their aliases with them when they are dropped.
 */
class QdrantAliasesTest {
  @RegisterExtension static final QdrantFixture q = QdrantFixture.perClass();

  String a;
  String b;

  @BeforeEach
  void seed() throws Exception {
    a = q.create("alias_a", 4, Distance.Dot);
    b = q.create("alias_b", 4, Distance.Dot);
    q.client.upsertAsync(a, List.of(point(1, null, 1f, 0f, 0f, 0f))).get();
    q.client
        .upsertAsync(b, List.of(point(2, null, 0f, 1f, 0f, 0f), point(3, null, 0f, 0f, 1f, 0f)))
        .get();
  }

  private static String aliasName() {
    return "alias-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private Set<Long> searchIds(String collection) throws Exception {
    return ids(
        q.client
            .searchAsync(
                SearchPoints.newBuilder()
                    .setCollectionName(collection)
                    .addAllVector(List.of(1f, 1f, 1f, 1f))
                    .setLimit(10)
                    .build())
            .get());
  }

  /** Our aliases only: the server may hold others'. */
  private Map<String, String> ourAliases() throws Exception {
    return q.client.listAliasesAsync().get().stream()
        .filter(d -> d.getCollectionName().equals(a) || d.getCollectionName().equals(b))
        .collect(
            Collectors.toMap(AliasDescription::getAliasName, AliasDescription::getCollectionName));
  }

  private static AliasOperations create(String alias, String collection) {
    return AliasOperations.newBuilder()
        .setCreateAlias(CreateAlias.newBuilder().setAliasName(alias).setCollectionName(collection))
        .build();
  }

  private static AliasOperations delete(String alias) {
    return AliasOperations.newBuilder()
        .setDeleteAlias(DeleteAlias.newBuilder().setAliasName(alias))
        .build();
  }

  private static AliasOperations rename(String from, String to) {
    return AliasOperations.newBuilder()
        .setRenameAlias(RenameAlias.newBuilder().setOldAliasName(from).setNewAliasName(to))
        .build();
  }

  @Test
  @DisplayName(
      "test_alias_operations: reads and writes through an alias reach its collection; both"
          + " lists show it; after delete_alias the name is NOT_FOUND")
  void readsAndWritesThroughAnAlias() throws Exception {
    String alias = aliasName();
    q.client.createAliasAsync(alias, a).get();
    assertEquals(Map.of(alias, a), ourAliases());
    assertEquals(List.of(alias), q.client.listCollectionAliasesAsync(a).get());
    assertEquals(List.of(), q.client.listCollectionAliasesAsync(b).get());

    assertEquals(setOf(1), searchIds(alias));
    q.client.upsertAsync(alias, List.of(point(4, "{'via': 'alias'}", 0f, 0f, 0f, 1f))).get();
    assertEquals(setOf(1, 4), searchIds(a));
    assertEquals(2L, q.client.countAsync(alias).get());
    List<io.qdrant.client.grpc.Points.RetrievedPoint> got =
        q.client.retrieveAsync(alias, id(4), true, false, null).get();
    assertEquals(
        Value.newBuilder().setStringValue("alias").build(), got.get(0).getPayloadMap().get("via"));
    assertTrue(q.client.collectionExistsAsync(alias).get());
    assertEquals(2L, q.client.getCollectionInfoAsync(alias).get().getPointsCount());

    q.client.deleteAliasAsync(alias).get();
    assertEquals(Map.of(), ourAliases());
    assertEquals(Status.Code.NOT_FOUND, failure(q.client.countAsync(alias)).getCode());
    assertFalse(q.client.collectionExistsAsync(alias).get());
  }

  @Test
  @DisplayName(
      "a batch of delete + create switches an alias from one collection to another; readers"
          + " never see the alias missing")
  void switchInOneBatch() throws Exception {
    String alias = aliasName();
    q.client.createAliasAsync(alias, a).get();
    assertEquals(setOf(1), searchIds(alias));
    q.client.updateAliasesAsync(List.of(delete(alias), create(alias, b))).get();
    assertEquals(setOf(2, 3), searchIds(alias));
    assertEquals(Map.of(alias, b), ourAliases());
  }

  @Test
  @DisplayName("creating an alias that exists re-points it to the new collection")
  void createRepoints() throws Exception {
    String alias = aliasName();
    q.client.createAliasAsync(alias, a).get();
    q.client.createAliasAsync(alias, b).get();
    assertEquals(Map.of(alias, b), ourAliases());
    assertEquals(setOf(2, 3), searchIds(alias));
  }

  @Test
  @DisplayName(
      "alias_tests.rs: create, delete and rename in one batch; the renamed alias reaches the"
          + " collection, the old names do not")
  void createDeleteRenameBatch() throws Exception {
    String first = aliasName();
    String second = aliasName();
    String third = aliasName();
    q.client.createAliasAsync(first, a).get();
    q.client
        .updateAliasesAsync(List.of(create(second, a), delete(first), rename(second, third)))
        .get();
    assertEquals(Map.of(third, a), ourAliases());
    assertEquals(setOf(1), searchIds(third));
    assertEquals(Status.Code.NOT_FOUND, failure(q.client.countAsync(second)).getCode());
  }

  @Test
  @DisplayName(
      "test_cant_create_alias_if_collection_exists: ALREADY_EXISTS 'Wrong input: Collection `b`"
          + " already exists!'")
  void aliasCannotTakeACollectionsName() {
    Status s = failure(q.client.createAliasAsync(b, a));
    assertEquals(Status.Code.ALREADY_EXISTS, s.getCode());
    assertEquals("Wrong input: Collection `" + b + "` already exists!", s.getDescription());
  }

  @Test
  @DisplayName(
      "test_cant_create_collection_if_alias_exists: INVALID_ARGUMENT 'Wrong input: Can't create"
          + " collection with name X. Alias with the same name already exists'")
  void collectionCannotTakeAnAliasName() throws Exception {
    String alias = q.collection("alias_c"); // dropped as a collection if the refusal failed
    q.client.createAliasAsync(alias, a).get();
    Status s =
        failure(
            q.client.createCollectionAsync(
                CreateCollection.newBuilder()
                    .setCollectionName(alias)
                    .setVectorsConfig(
                        VectorsConfig.newBuilder()
                            .setParams(
                                VectorParams.newBuilder().setSize(4).setDistance(Distance.Dot)))
                    .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals(
        "Wrong input: Can't create collection with name "
            + alias
            + ". Alias with the same name already exists",
        s.getDescription());
    q.client.deleteAliasAsync(alias).get();
  }

  @Test
  @DisplayName(
      "an alias of a missing collection: NOT_FOUND 'Not found: Collection `x` doesn't exist!';"
          + " renaming a missing alias: NOT_FOUND 'Not found: Alias x does not exists!'")
  void missingTargets() {
    String missing = aliasName();
    Status s = failure(q.client.createAliasAsync(aliasName(), missing));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals("Not found: Collection `" + missing + "` doesn't exist!", s.getDescription());
    s = failure(q.client.renameAliasAsync(missing, aliasName()));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals("Not found: Alias " + missing + " does not exists!", s.getDescription());
  }

  @Test
  @DisplayName("deleting an alias that does not exist succeeds")
  void deleteMissingAlias() throws Exception {
    assertTrue(q.client.updateAliasesAsync(List.of(delete(aliasName()))).get().getResult());
  }

  @Test
  @DisplayName(
      "a failing action stops the batch with its error; the actions before it stay applied"
          + " (Qdrant applies them in order under one lock and does not roll back)")
  void failingActionStopsTheBatch() throws Exception {
    String kept = aliasName();
    String never = aliasName();
    Status s =
        failure(
            q.client.updateAliasesAsync(
                List.of(create(kept, a), rename(aliasName(), aliasName()), create(never, b))));
    assertEquals(Status.Code.NOT_FOUND, s.getCode());
    assertEquals(Map.of(kept, a), ourAliases());
  }

  @Test
  @DisplayName("deleting a collection removes its aliases and only those")
  void deletingACollectionRemovesItsAliases() throws Exception {
    String x = aliasName();
    String y = aliasName();
    String z = aliasName();
    q.client.updateAliasesAsync(List.of(create(x, a), create(y, a), create(z, b))).get();
    assertEquals(
        new TreeSet<>(List.of(x, y)), new TreeSet<>(q.client.listCollectionAliasesAsync(a).get()));
    q.client.deleteCollectionAsync(a).get();
    assertEquals(Map.of(z, b), ourAliases());
    assertEquals(Status.Code.NOT_FOUND, failure(q.client.countAsync(x)).getCode());
    assertEquals(2L, q.client.countAsync(z).get());
  }

  @Test
  @DisplayName("a collection's metadata is read through an alias")
  void metadataThroughAnAlias() throws Exception {
    String c = q.collection("alias_meta");
    q.client
        .createCollectionAsync(
            CreateCollection.newBuilder()
                .setCollectionName(c)
                .setVectorsConfig(
                    VectorsConfig.newBuilder()
                        .setParams(VectorParams.newBuilder().setSize(4).setDistance(Distance.Dot)))
                .putMetadata("model_id", Value.newBuilder().setStringValue("m1").build())
                .build())
        .get();
    String alias = aliasName();
    q.client.createAliasAsync(alias, c).get();
    assertEquals(
        "m1",
        q.client
            .getCollectionInfoAsync(alias)
            .get()
            .getConfig()
            .getMetadataMap()
            .get("model_id")
            .getStringValue());
  }
}
