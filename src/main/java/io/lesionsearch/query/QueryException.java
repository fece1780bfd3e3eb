package io.lesionsearch.query;

import io.lesionsearch.kafka.BoundedText;

/**
 * A request that cannot be answered with hits, and the error code its reply carries. The message is
 * cut to a few hundred characters, since it may quote the request.
 */
public final class QueryException extends Exception {
  private final ErrorCode code;

  public QueryException(ErrorCode code, String message) {
    super(BoundedText.message(message));
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
