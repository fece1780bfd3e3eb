package io.lesionsearch.query;

/** A request that cannot be answered with hits, and the error code its reply carries. */
public final class QueryException extends Exception {
  private final ErrorCode code;

  public QueryException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
