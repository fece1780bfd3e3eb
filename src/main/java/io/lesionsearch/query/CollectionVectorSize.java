package io.lesionsearch.query;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Checks a query vector against the collection's vector size before the search, since Qdrant's
 * refusal says so only in its text. The size is asked of Qdrant once and kept until {@link
 * #forget()}.
 */
final class CollectionVectorSize {
  private final QdrantCalls calls;
  private final QdrantClient client;
  private final String collection;

  /** -1 when the collection has named vectors; null until asked, or after a refusal. */
  private volatile CompletableFuture<Integer> size;

  CollectionVectorSize(QdrantCalls calls, QdrantClient client, String collection) {
    this.calls = calls;
    this.client = client;
    this.collection = collection;
  }

  /**
   * The vector, or a VECTOR_SIZE_MISMATCH; a failure to ask Qdrant fails it as any Qdrant call
   * would.
   */
  CompletableFuture<float[]> check(CompletableFuture<float[]> vector, long deadlineNanos) {
    return vector.thenCombine(
        size(deadlineNanos),
        (v, n) -> {
          if (n >= 0 && v.length != n) {
            throw new CompletionException(
                new QueryException(
                    ErrorCode.VECTOR_SIZE_MISMATCH,
                    "the vector has "
                        + v.length
                        + " numbers; collection "
                        + collection
                        + " holds vectors of "
                        + n));
          }
          return v;
        });
  }

  /** After Qdrant refused a search: the collection may have been made again with another size. */
  void forget() {
    size = null;
  }

  private CompletableFuture<Integer> size(long deadlineNanos) {
    CompletableFuture<Integer> known = size;
    if (known != null && !known.isCompletedExceptionally()) {
      return known;
    }
    CompletableFuture<Integer> asked =
        calls
            .call(timeout -> client.getCollectionInfoAsync(collection, timeout), deadlineNanos)
            .thenApply(CollectionVectorSize::of);
    size = asked;
    return asked;
  }

  private static int of(CollectionInfo info) {
    VectorsConfig vectors = info.getConfig().getParams().getVectorsConfig();
    return vectors.hasParams() ? (int) vectors.getParams().getSize() : -1;
  }
}
