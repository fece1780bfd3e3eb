package io.lesionsearch.qdrant;

/**
 * The collection exists but cannot hold this model's vectors. No retry or restart can fix that, so
 * writers turn it into a job failure that Flink does not restart.
 */
public final class CollectionMismatchException extends IllegalStateException {
  public CollectionMismatchException(String message) {
    super(message);
  }
}
