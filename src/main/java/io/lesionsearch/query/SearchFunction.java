package io.lesionsearch.query;

import static io.qdrant.client.ConditionFactory.hasId;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lesionsearch.embed.SlotDevice;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.ImageLimits;
import io.lesionsearch.image.PixelBudget;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.qdrant.QdrantConnection;
import io.lesionsearch.qdrant.QdrantFailure;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.SearchPointGroups;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.VectorOutput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a search request with Flink async I/O: resolves the job's collection name to the physical
 * collection and its model ({@link CollectionModel}), resolves each search's vector (embeds an
 * image with whichever of the job's models made the collection's vectors, each shared by the
 * TaskManager's slots, or fetches an indexed image's stored vector), refuses a vector of another
 * model than the collection's, then searches that physical collection, one SearchBatch call for a
 * batch (one SearchGroups call per grouped search, which has no batch form). Every request ends in
 * exactly one reply: hits, or an error reply with its code; Flink's timeout, the backstop, answers
 * TIMEOUT.
 */
public final class SearchFunction extends RichAsyncFunction<SearchRequest, Reply> {

  private static final Logger LOG = LoggerFactory.getLogger(SearchFunction.class);

  /** Error replies of this instance, the backstop's TIMEOUT included (counter). */
  public static final String METRIC_ERROR_REPLIES = "errorReplies";

  /**
   * Query images held now, decoding or waiting for the model (gauge); at the maximum, requests are
   * answered OVERLOADED.
   */
  public static final String METRIC_QUEUED_IMAGES = "queuedImages";

  /** The most query images one instance holds, --max-queued-images (gauge). */
  public static final String METRIC_MAX_QUEUED_IMAGES = "maxQueuedImages";

  private final QdrantConnection connection;
  private final String collection;
  private final List<String> modelDirs;
  private final long timeoutMs;
  private final ImageLimits images;
  private final int maxQueuedImages;

  private transient QdrantClient client;
  private transient List<ImageEmbedder> embedders;
  private transient JobModels<ImageEmbedder> models;
  private transient ScheduledExecutorService timer;
  private transient QdrantCalls calls;
  private transient Counter errors;
  private transient CollectionModel collectionModel;

  /**
   * @param modelDirs the job's models, the default (for collections that record no model) first
   * @param images what one query image may cost
   * @param maxQueuedImages images held waiting to be decoded or embedded; more are answered
   *     OVERLOADED
   */
  public SearchFunction(
      QdrantConnection connection,
      String collection,
      List<String> modelDirs,
      long timeoutMs,
      ImageLimits images,
      int maxQueuedImages) {
    this.connection = connection;
    this.collection = collection;
    this.modelDirs = List.copyOf(modelDirs);
    this.timeoutMs = timeoutMs;
    this.images = images;
    this.maxQueuedImages = maxQueuedImages;
  }

  @Override
  public void open(OpenContext context) throws Exception {
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    // A query image waits for the TaskManager's pixel budget only as long as its request may take.
    ImageDecoder decoder =
        new ImageDecoder(
            images.maxPixels(),
            PixelBudget.shared(images.budgetPixels()),
            Duration.ofMillis(budgetMs(timeoutMs)));
    // One embedding stage per model (each model has its own preprocessing), one queue limit for
    // all; the pixel budget is the TaskManager's whatever the model.
    QueuedImages queued = new QueuedImages(maxQueuedImages);
    embedders = new ArrayList<>();
    Map<String, ImageEmbedder> byModelId = new LinkedHashMap<>();
    for (int m = 0; m < modelDirs.size(); m++) {
      VitEncoder encoder =
          VitEncoder.open(Path.of(modelDirs.get(m)), SlotDevice.candidates(getRuntimeContext()));
      ImageEmbedder embedder =
          new ImageEmbedder(
              encoder, decoder, queued, "lesion-search-query-embed-" + subtask + "-" + m);
      embedders.add(embedder);
      String modelId = encoder.manifest().modelId();
      if (byModelId.putIfAbsent(modelId, embedder) != null) {
        throw new IllegalStateException(
            "two of the query job's --model directories have model id '" + modelId + "'");
      }
      LOG.info("Embedding query images with {} on {}", modelId, encoder.device());
    }
    models = new JobModels<>(byModelId);
    QdrantGrpcClient grpc = connection.openGrpc();
    client = new QdrantClient(grpc);
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "lesion-search-query-retry-" + subtask);
              t.setDaemon(true);
              return t;
            });
    calls = new QdrantCalls(timer, grpc.channel());
    collectionModel =
        new CollectionModel(CollectionModel.qdrant(calls, client, collection), System::nanoTime);
    errors = getRuntimeContext().getMetricGroup().counter(METRIC_ERROR_REPLIES);
    getRuntimeContext().getMetricGroup().gauge(METRIC_QUEUED_IMAGES, queued::held);
    getRuntimeContext().getMetricGroup().gauge(METRIC_MAX_QUEUED_IMAGES, () -> maxQueuedImages);
    LOG.info("Searching {} in {} with {}", connection, collection, byModelId.keySet());
  }

  @Override
  public void close() throws Exception {
    if (embedders != null) {
      for (ImageEmbedder embedder : embedders) {
        embedder.close();
      }
    }
    if (timer != null) {
      timer.shutdownNow();
    }
    if (client != null) {
      client.close();
    }
  }

  /**
   * The function's own time budget, a little under Flink's timeout, so that a search that runs out
   * of time (or of retries) is answered with its own reason before the backstop fires.
   */
  static long budgetMs(long timeoutMs) {
    return timeoutMs - Math.min(1000, Math.max(10, timeoutMs / 10));
  }

  @Override
  public void asyncInvoke(SearchRequest request, ResultFuture<Reply> result) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs(timeoutMs));
    CompletableFuture<List<SearchResult>> hits;
    try {
      // One target for the whole request, so that every search of a batch reads one collection.
      CompletableFuture<CollectionModel.Target> target = collectionModel.current(deadline);
      List<CompletableFuture<SearchPoints>> searches = new ArrayList<>();
      for (SearchSpec spec : request.searches()) {
        searches.add(searchPoints(spec, target, deadline));
      }
      hits =
          CompletableFuture.allOf(searches.toArray(CompletableFuture[]::new))
              .thenCombine(target, (done, t) -> t)
              .thenCompose(
                  t ->
                      search(
                          t.physical(),
                          request.searches(),
                          searches.stream().map(CompletableFuture::join).toList(),
                          request.batch(),
                          deadline));
    } catch (RuntimeException e) {
      hits = CompletableFuture.failedFuture(e);
    }
    var unused =
        hits.whenComplete(
            (lists, error) -> {
              Reply reply;
              try {
                reply = error == null ? Replies.ok(request, lists) : errorReply(request, error);
              } catch (RuntimeException | StackOverflowError e) {
                reply = errorReply(request, e);
              }
              result.complete(List.of(reply));
            });
  }

  @Override
  public void timeout(SearchRequest request, ResultFuture<Reply> result) {
    errors.inc();
    result.complete(
        List.of(
            Replies.error(
                request,
                ErrorCode.TIMEOUT,
                "no answer within the request timeout of " + timeoutMs + " ms")));
  }

  private Reply errorReply(SearchRequest request, Throwable error) {
    QueryException e = QdrantCalls.classify(error);
    QdrantFailure failure = QdrantFailure.of(error);
    if (failure == QdrantFailure.INVALID_ARGUMENT || failure == QdrantFailure.NOT_FOUND) {
      // The collection may have been made again, or the alias moved: ask again next time.
      collectionModel.forget();
    }
    errors.inc();
    if (e.code() == ErrorCode.INTERNAL) {
      LOG.warn("Request {} failed", request.requestId(), error);
    }
    return Replies.error(request, e.code(), e.getMessage());
  }

  /** The Qdrant request of one search, once its vector is known. */
  private CompletableFuture<SearchPoints> searchPoints(
      SearchSpec spec, CompletableFuture<CollectionModel.Target> target, long deadline) {
    SearchPoints template;
    try {
      template = SearchPoints.parseFrom(spec.searchPoints());
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<float[]> vector =
        switch (spec.kind()) {
          case VECTOR ->
              target.thenApply(
                  t -> {
                    if (spec.modelId() != null) {
                      CollectionModel.requireModel(t, spec.modelId(), "the request's vector is of");
                    }
                    return CollectionModel.requireSize(t, spec.vector());
                  });
          case IMAGE -> embedImage(spec.image(), target, deadline);
          case IMAGE_ID ->
              // From the collection that is searched, so of its model and size.
              target.thenCompose(t -> storedVector(t.physical(), spec.imageId(), deadline));
        };
    return vector.thenCombine(
        target,
        (v, t) -> {
          SearchPoints.Builder b = template.toBuilder().setCollectionName(t.physical());
          for (float x : v) {
            b.addVector(x);
          }
          if (spec.kind() == QueryKind.IMAGE_ID && !spec.includeSelf()) {
            Filter filter = b.hasFilter() ? b.getFilter() : Filter.getDefaultInstance();
            b.setFilter(filter.toBuilder().addMustNot(hasId(pointId(spec.imageId()))));
          }
          return b.build();
        });
  }

  /** The image's vector, by the model whose vectors the target holds. */
  private CompletableFuture<float[]> embedImage(
      byte[] image, CompletableFuture<CollectionModel.Target> target, long deadline) {
    if (models.size() == 1) {
      // Only one model can be right: embedding does not wait for the check, both run at once.
      return models
          .all()
          .iterator()
          .next()
          .embed(image, deadline)
          .thenCombine(
              target,
              (v, t) -> {
                models.forCollection(t);
                return CollectionModel.requireSize(t, v);
              });
    }
    // The collection's model picks the encoder; its answer is usually the cached one, at once.
    return target.thenCompose(
        t ->
            models
                .forCollection(t)
                .embed(image, deadline)
                .thenApply(v -> CollectionModel.requireSize(t, v)));
  }

  private CompletableFuture<float[]> storedVector(String physical, String imageId, long deadline) {
    return calls
        .call(
            timeout ->
                client.retrieveAsync(
                    physical,
                    List.of(pointId(imageId)),
                    WithPayloadSelectorFactory.enable(false),
                    WithVectorsSelectorFactory.enable(true),
                    null,
                    timeout),
            deadline)
        .thenApply(
            points -> {
              if (points.isEmpty()) {
                throw new java.util.concurrent.CompletionException(
                    new QueryException(
                        ErrorCode.UNKNOWN_IMAGE_ID,
                        "no indexed image has image_id \"" + imageId + "\""));
              }
              return vectorOf(points.get(0));
            });
  }

  private static float[] vectorOf(RetrievedPoint point) {
    VectorOutput v = point.getVectors().getVector();
    List<Float> data = v.hasDense() ? v.getDense().getDataList() : v.getDataList();
    float[] out = new float[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.get(i);
    }
    return out;
  }

  private CompletableFuture<List<SearchResult>> search(
      String physical,
      List<SearchSpec> specs,
      List<SearchPoints> searches,
      boolean batch,
      long deadline) {
    if (specs.stream().anyMatch(SearchSpec::grouped)) {
      // Qdrant has no batch form of SearchGroups: one call per search, answered in request order.
      List<CompletableFuture<SearchResult>> each = new ArrayList<>();
      for (int i = 0; i < searches.size(); i++) {
        each.add(searchOne(specs.get(i), searches.get(i), deadline));
      }
      return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
          .thenApply(done -> each.stream().map(CompletableFuture::join).toList());
    }
    if (!batch) {
      return searchOne(specs.get(0), searches.get(0), deadline).thenApply(List::of);
    }
    return calls
        .call(timeout -> client.searchBatchAsync(physical, searches, null, timeout), deadline)
        .thenApply(
            results -> results.stream().map(r -> SearchResult.ofHits(r.getResultList())).toList());
  }

  private CompletableFuture<SearchResult> searchOne(
      SearchSpec spec, SearchPoints search, long deadline) {
    if (!spec.grouped()) {
      return calls
          .call(timeout -> client.searchAsync(search, timeout), deadline)
          .thenApply(SearchResult::ofHits);
    }
    SearchPointGroups.Builder groups =
        SearchPointGroups.newBuilder()
            .setCollectionName(search.getCollectionName())
            .addAllVector(search.getVectorList())
            .setLimit((int) search.getLimit())
            .setWithPayload(search.getWithPayload())
            .setGroupBy(spec.groupBy())
            .setGroupSize(spec.groupSize());
    if (search.hasFilter()) {
      groups.setFilter(search.getFilter());
    }
    if (search.hasScoreThreshold()) {
      groups.setScoreThreshold(search.getScoreThreshold());
    }
    SearchPointGroups request = groups.build();
    return calls
        .call(timeout -> client.searchGroupsAsync(request, timeout), deadline)
        .thenApply(SearchResult::ofGroups);
  }

  private static PointId pointId(String imageId) {
    return PointIdFactory.id(PointIds.forImageId(imageId));
  }
}
