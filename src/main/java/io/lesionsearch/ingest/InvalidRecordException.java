package io.lesionsearch.ingest;

/**
 * An ingest message that breaks the contract: why, typed, and a message that says which field and
 * how.
 */
public final class InvalidRecordException extends Exception {

  private final RecordProblem problem;

  public InvalidRecordException(RecordProblem problem, String message) {
    super(message);
    if (problem == null) {
      throw new IllegalArgumentException("a refusal needs a problem");
    }
    this.problem = problem;
  }

  public RecordProblem problem() {
    return problem;
  }
}
