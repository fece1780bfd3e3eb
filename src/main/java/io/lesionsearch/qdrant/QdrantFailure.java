package io.lesionsearch.qdrant;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why a call to Qdrant failed, told from its gRPC status code and typed causes alone, never from
 * message text (which changes between Qdrant and gRPC versions). The sink and the query job both
 * classify with it; each decides what a reason means for its own calls.
 */
public enum QdrantFailure {
  /** Unreachable, restarting or refusing connections. */
  UNAVAILABLE(true, true),
  /**
   * The call's deadline passed: for a write, Qdrant may be slow; for a search it is the request's
   * own time.
   */
  DEADLINE_EXCEEDED(true, false),
  /** Qdrant is overloaded or rate-limits this client; it will not lift within a search's time. */
  OVERLOADED(true, false),
  /** Qdrant's answer is larger than this client accepts; as large on every try. */
  ANSWER_TOO_LARGE(false, false),
  /** A concurrent change aborted the call. */
  ABORTED(true, true),
  /** What the call names is not there: for a search or an upsert, the collection. */
  NOT_FOUND(false, false),
  /** Qdrant refused the request itself (a vector of the wrong size, a bad filter). */
  INVALID_ARGUMENT(false, false),
  /** No API key, a wrong one, or a read-only key used to write. */
  ACCESS_DENIED(false, false),
  /**
   * The client failed before or after the call (an exception in this JVM, not an answer of Qdrant).
   */
  CLIENT_FAULT(false, false),
  /** Any other status. */
  OTHER(false, false);

  private final boolean retryWrite;
  private final boolean retrySearch;

  QdrantFailure(boolean retryWrite, boolean retrySearch) {
    this.retryWrite = retryWrite;
    this.retrySearch = retrySearch;
  }

  /** Whether an upsert is worth trying again after a backoff. */
  public boolean retryWrite() {
    return retryWrite;
  }

  /** Whether a search is worth trying again within the few seconds a request has. */
  public boolean retrySearch() {
    return retrySearch;
  }

  public static QdrantFailure of(Throwable error) {
    Throwable e = unwrap(error);
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AnswerTooLargeException) {
        return ANSWER_TOO_LARGE;
      }
    }
    Status status = Status.fromThrowable(e);
    return switch (status.getCode()) {
      case UNAVAILABLE -> UNAVAILABLE;
      case DEADLINE_EXCEEDED -> DEADLINE_EXCEEDED;
      case RESOURCE_EXHAUSTED -> OVERLOADED;
      case ABORTED -> ABORTED;
      case NOT_FOUND -> NOT_FOUND;
      case INVALID_ARGUMENT -> INVALID_ARGUMENT;
      case UNAUTHENTICATED, PERMISSION_DENIED -> ACCESS_DENIED;
      // Status.fromThrowable answers UNKNOWN, with the exception as its cause, for anything that is
      // no gRPC status.
      case UNKNOWN -> status.getCause() != null ? CLIENT_FAULT : OTHER;
      default -> OTHER;
    };
  }

  /** The gRPC status of a failure, its description included; for messages. */
  public static String describe(Throwable error) {
    Status status = Status.fromThrowable(unwrap(error));
    return status.getCode()
        + (status.getDescription() != null ? ": " + status.getDescription() : "");
  }

  /** The failure itself, out of the wrappers futures put around it. */
  public static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
