package io.lesionsearch.query;

import io.lesionsearch.kafka.BoundedText;
import io.lesionsearch.qdrant.ModelCollections;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The physical collection behind the name the job reads (an alias or a collection) and the model
 * that made its vectors, asked of Qdrant at most every {@link #MAX_AGE_NANOS} so that an alias
 * switch is seen within that time. The job searches the physical collection it checked, never the
 * alias: a switch between the check and the search cannot make it compare one model's vector with
 * another model's points.
 *
 * <p>An answer older than {@link #REFRESH_AFTER_NANOS} is still used while a new one is asked for
 * in the background, so that, under steady traffic, no search waits for the two lookup calls: it
 * was one search in a hundred at 50 requests/s, the p99 of every run.
 */
final class CollectionModel {
  /** The most of a model id a message shows: a request's model_id is the client's text. */
  static final int MAX_MODEL_ID_CHARS = 120;

  /** How long an answer is used before Qdrant is asked again. */
  static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** From this age on, the next search asks again in the background and uses the answer it has. */
  static final long REFRESH_AFTER_NANOS = MAX_AGE_NANOS * 3 / 4;

  /**
   * What the job's collection name stands for now.
   *
   * @param name the name the job reads
   * @param physical the collection the name resolves to (the name itself when it is no alias)
   * @param modelId the model id its metadata records, or null when it records none
   * @param vectorSize its vector size, or -1 when it has named vectors
   */
  record Target(String name, String physical, String modelId, int vectorSize) {
    /** How the target is named in messages: the name, and the physical one behind an alias. */
    String describe() {
      return physical.equals(name)
          ? "collection " + name
          : "collection " + name + " (alias of " + physical + ")";
    }
  }

  /** Asks Qdrant; a fake in tests. */
  interface Lookup {
    CompletableFuture<Target> resolve(long deadlineNanos);
  }

  /** One lookup and when it was started; compared by identity (which lookup is current). */
  private static final class Answer {
    final CompletableFuture<Target> target;
    final long askedAtNanos;

    Answer(CompletableFuture<Target> target, long askedAtNanos) {
      this.target = target;
      this.askedAtNanos = askedAtNanos;
    }
  }

  private final Lookup lookup;
  private final LongSupplier nanoClock;
  private volatile Answer answer;

  /** The background lookup under way, or null. Guarded by {@code this}. */
  private Answer refreshing;

  CollectionModel(Lookup lookup, LongSupplier nanoClock) {
    this.lookup = lookup;
    this.nanoClock = nanoClock;
  }

  /** Resolves {@code name} with two Qdrant calls: the aliases, then the collection's info. */
  static Lookup qdrant(QdrantCalls calls, QdrantClient client, String name) {
    return deadline ->
        calls
            .call(client::listAliasesAsync, deadline)
            .thenCompose(
                aliases -> {
                  String physical = name;
                  for (AliasDescription a : aliases) {
                    if (a.getAliasName().equals(name)) {
                      physical = a.getCollectionName();
                    }
                  }
                  String resolved = physical;
                  return calls
                      .call(t -> client.getCollectionInfoAsync(resolved, t), deadline)
                      .thenApply(info -> target(name, resolved, info));
                });
  }

  static Target target(String name, String physical, CollectionInfo info) {
    VectorsConfig vectors = info.getConfig().getParams().getVectorsConfig();
    return new Target(
        name,
        physical,
        ModelCollections.modelId(info),
        vectors.hasParams() ? (int) vectors.getParams().getSize() : -1);
  }

  /**
   * The current target: the last answer while it is fresh and did not fail (asking again in the
   * background once it is older than {@link #REFRESH_AFTER_NANOS}), else a new one.
   */
  CompletableFuture<Target> current(long deadlineNanos) {
    long now = nanoClock.getAsLong();
    Answer known = answer;
    if (fresh(known, now)) {
      if (now - known.askedAtNanos >= REFRESH_AFTER_NANOS && known.target.isDone()) {
        refreshAhead(known, now, deadlineNanos);
      }
      return known.target;
    }
    synchronized (this) {
      known = answer;
      if (fresh(known, now)) {
        return known.target;
      }
      Answer next = refreshing;
      refreshing = null;
      if (next == null || !fresh(next, now)) {
        next = new Answer(lookup.resolve(deadlineNanos), now);
      }
      answer = next;
      return next.target;
    }
  }

  private static boolean fresh(Answer a, long now) {
    return a != null
        && now - a.askedAtNanos < MAX_AGE_NANOS
        && !a.target.isCompletedExceptionally();
  }

  /**
   * Asks again without making anyone wait; the new answer replaces {@code known} once it has come
   * (a failed one does not: {@code known} serves until it expires, then searches ask again).
   */
  private synchronized void refreshAhead(Answer known, long now, long deadlineNanos) {
    if (answer != known || refreshing != null) {
      return;
    }
    Answer next = new Answer(lookup.resolve(deadlineNanos), now);
    refreshing = next;
    var unused =
        next.target.whenComplete(
            (target, error) -> {
              synchronized (this) {
                if (refreshing == next) {
                  refreshing = null;
                  if (error == null && answer == known) {
                    answer = next;
                  }
                }
              }
            });
  }

  /** After Qdrant refused a search: the collection may have changed, ask again next time. */
  synchronized void forget() {
    answer = null;
    refreshing = null;
  }

  /**
   * MODEL_MISMATCH unless the target's model is {@code modelId}; a collection that records no model
   * (made before collections recorded one) is accepted.
   *
   * @param whose what made the query vector, for the message
   */
  static void requireModel(Target target, String modelId, String whose) {
    if (target.modelId() != null && !target.modelId().equals(modelId)) {
      throw new CompletionException(
          new QueryException(
              ErrorCode.MODEL_MISMATCH,
              whose
                  + " model '"
                  + BoundedText.of(modelId, MAX_MODEL_ID_CHARS)
                  + "', but "
                  + target.describe()
                  + " holds vectors of model '"
                  + BoundedText.of(target.modelId(), MAX_MODEL_ID_CHARS)
                  + "'; vectors of two models are never compared"));
    }
  }

  /** VECTOR_SIZE_MISMATCH unless the vector has the target's size. */
  static float[] requireSize(Target target, float[] vector) {
    if (target.vectorSize() >= 0 && vector.length != target.vectorSize()) {
      throw new CompletionException(
          new QueryException(
              ErrorCode.VECTOR_SIZE_MISMATCH,
              "the vector has "
                  + vector.length
                  + " numbers; "
                  + target.describe()
                  + " holds vectors of "
                  + target.vectorSize()));
    }
    return vector;
  }
}
