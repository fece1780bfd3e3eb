package io.lesionsearch.query;

/**
 * A {@link SearchClient} can no longer read replies (for example its access to the replies topic
 * was revoked): every waiting search and every later one fails with this, its cause the Kafka
 * error, so callers learn at once that the client needs attention and a restart instead of timing
 * out.
 */
public final class SearchClientFailedException extends IllegalStateException {

  public SearchClientFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
