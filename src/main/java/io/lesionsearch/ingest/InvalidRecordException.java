package io.lesionsearch.ingest;

/** An ingest message that breaks the contract; its message says which field and how. */
public final class InvalidRecordException extends Exception {
  public InvalidRecordException(String message) {
    super(message);
  }
}
