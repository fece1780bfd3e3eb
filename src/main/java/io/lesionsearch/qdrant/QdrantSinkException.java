package io.lesionsearch.qdrant;

/** An upsert Qdrant refused for good, or kept refusing past the retry limit; fails the job. */
public final class QdrantSinkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QdrantSinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
