package io.lesionsearch.qdrant;

import io.grpc.Status;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the collection the sink writes to exists with the model's vector size, Cosine distance
 * and the payload indexes its caller's searches filter on. Never deletes or recreates: an existing
 * collection that does not match is an operator decision, so it stops with a message saying what to
 * do.
 */
public final class CollectionBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(CollectionBootstrap.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  /** What {@link #ensure} found. */
  public enum Outcome {
    CREATED,
    EXISTED
  }

  private CollectionBootstrap() {}

  /**
   * Creates the collection if absent, else checks it; then adds any missing payload index. Safe to
   * run from many parallel writers at once: a create that loses the race is re-checked.
   *
   * @param payloadIndexes the payload fields to index, and the index type of each
   * @throws IllegalStateException if the collection exists with another size or distance
   */
  public static Outcome ensure(
      QdrantClient client,
      String collection,
      int vectorSize,
      Map<String, PayloadSchemaType> payloadIndexes) {
    return ensure(client, collection, vectorSize, null, payloadIndexes);
  }

  /**
   * As {@link #ensure(QdrantClient, String, int, Map)}, for the vectors of one model: a new
   * collection records {@code {"model_id": ..., "vector_size": ...}} in its metadata, and an
   * existing one whose metadata names another model is refused, so one collection never mixes the
   * vectors of two models. A collection without a model id (made before collections recorded it) is
   * accepted with a warning. A missing name that is not a physical name ({@link
   * ModelCollections#isPhysical}) is created as an alias of the physical collection {@code
   * <name>__<model id>}.
   *
   * @param modelId the encoder manifest's model id, or null to skip the model check
   * @throws CollectionMismatchException if the collection exists with another size, distance or
   *     model
   */
  public static Outcome ensure(
      QdrantClient client,
      String collection,
      int vectorSize,
      String modelId,
      Map<String, PayloadSchemaType> payloadIndexes) {
    if (vectorSize <= 0) {
      throw new IllegalArgumentException("vector size must be > 0, got " + vectorSize);
    }
    Outcome outcome = Outcome.EXISTED;
    if (!get(client.collectionExistsAsync(collection, CALL_TIMEOUT), collection)) {
      // A name that is not a physical one becomes an alias of <name>__<model>, so that a later
      // model's collection can take its place in one atomic alias switch.
      String physical =
          modelId != null && !ModelCollections.isPhysical(collection)
              ? ModelCollections.physicalName(collection, modelId)
              : collection;
      try {
        get(
            client.createCollectionAsync(request(physical, vectorSize, modelId), CALL_TIMEOUT),
            physical);
        outcome = Outcome.CREATED;
        LOG.info(
            "Created Qdrant collection '{}' (size {}, Cosine, model {})",
            physical,
            vectorSize,
            modelId);
      } catch (RuntimeException e) {
        // Another writer may have created it between our check and our create (Qdrant answers
        // ALREADY_EXISTS); anything else, or a collection that still is not there, is real.
        if (!get(client.collectionExistsAsync(physical, CALL_TIMEOUT), physical)) {
          throw e;
        }
      }
      if (!physical.equals(collection)) {
        // Idempotent: writers racing here all point the alias at the same collection.
        get(client.createAliasAsync(collection, physical, CALL_TIMEOUT), collection);
        LOG.info("Qdrant alias '{}' -> '{}'", collection, physical);
      }
    }
    CollectionInfo info = get(client.getCollectionInfoAsync(collection, CALL_TIMEOUT), collection);
    check(collection, vectorSize, info);
    if (modelId != null) {
      checkModel(collection, modelId, info);
    }
    addMissingIndexes(client, collection, payloadIndexes, info.getPayloadSchemaMap());
    return outcome;
  }

  static void check(String collection, int vectorSize, CollectionInfo info) {
    VectorsConfig vc = info.getConfig().getParams().getVectorsConfig();
    if (!vc.hasParams()) {
      throw new CollectionMismatchException(
          "Qdrant collection '"
              + collection
              + "' has named vectors "
              + vc.getParamsMap().getMapMap().keySet()
              + ", but the sink writes one unnamed vector of "
              + "size "
              + vectorSize
              + " (Cosine). Use another collection name, or delete this "
              + "collection so that it can be created.");
    }
    VectorParams p = vc.getParams();
    if (p.getSize() != vectorSize || p.getDistance() != Distance.Cosine) {
      throw new CollectionMismatchException(
          "Qdrant collection '"
              + collection
              + "' exists with vector "
              + "size "
              + p.getSize()
              + " and distance "
              + p.getDistance()
              + ", but the model needs "
              + "size "
              + vectorSize
              + " and distance Cosine. Use another collection name, or delete "
              + "this collection (its points were made by a different model) so that it can be "
              + "created.");
    }
  }

  /** The request that creates a physical collection for this model's vectors. */
  public static CreateCollection request(String collection, int vectorSize, String modelId) {
    CreateCollection.Builder b =
        CreateCollection.newBuilder()
            .setCollectionName(collection)
            .setVectorsConfig(
                VectorsConfig.newBuilder()
                    .setParams(
                        VectorParams.newBuilder()
                            .setSize(vectorSize)
                            .setDistance(Distance.Cosine)));
    if (modelId != null) {
      b.putAllMetadata(ModelCollections.metadata(modelId, vectorSize));
    }
    return b.build();
  }

  static void checkModel(String collection, String modelId, CollectionInfo info) {
    String stored = ModelCollections.modelId(info);
    if (stored == null) {
      LOG.warn(
          "Qdrant collection '{}' records no model id (made before collections recorded one);"
              + " writing vectors of model '{}' into it as before",
          collection,
          modelId);
    } else if (!stored.equals(modelId)) {
      throw new CollectionMismatchException(
          "Qdrant collection '"
              + collection
              + "' holds vectors of model '"
              + stored
              + "', but this job embeds with model '"
              + modelId
              + "'; vectors of two models must never share a collection. Write the new model's"
              + " vectors to another collection (lesion-search reindex --to "
              + ModelCollections.physicalName(ModelCollections.aliasOf(collection), modelId)
              + ") and switch the alias when it is ready.");
    }
  }

  private static void addMissingIndexes(
      QdrantClient client,
      String collection,
      Map<String, PayloadSchemaType> wanted,
      Map<String, PayloadSchemaInfo> existing) {
    for (Map.Entry<String, PayloadSchemaType> want : wanted.entrySet()) {
      PayloadSchemaInfo have = existing.get(want.getKey());
      if (have == null) {
        // Creating an index that already exists is a no-op in Qdrant, so a race here is harmless.
        get(
            client.createPayloadIndexAsync(
                collection, want.getKey(), want.getValue(), null, true, null, CALL_TIMEOUT),
            collection);
      } else if (have.getDataType() != want.getValue()) {
        LOG.warn(
            "Qdrant collection '{}' indexes '{}' as {}, not {}; left as it is",
            collection,
            want.getKey(),
            have.getDataType(),
            want.getValue());
      }
    }
  }

  private static <T> T get(Future<T> f, String collection) {
    try {
      return f.get(CALL_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while preparing Qdrant collection '" + collection + "'", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      Status s = Status.fromThrowable(cause);
      throw new IllegalStateException(
          "Cannot prepare Qdrant collection '"
              + collection
              + "': "
              + s.getCode()
              + (s.getDescription() != null ? ": " + s.getDescription() : ""),
          cause);
    }
  }
}
