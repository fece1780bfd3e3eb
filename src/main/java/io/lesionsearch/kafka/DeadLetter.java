package io.lesionsearch.kafka;

import java.io.Serializable;

/**
 * A record that could not be indexed or answered, with why and where it came from. Stage and reason
 * are the machine-readable pair: the reason is the name of a typed constant of that stage (an
 * ingest {@code RecordProblem}, an {@code ImageDecodeException.Reason}, a query {@code ErrorCode}),
 * so a consumer of the dead-letter topic never has to read the message. The error class and message
 * are for people; the message is cut to {@link BoundedText#MESSAGE_CHARS}, so whatever a record
 * holds, its dead letter's headers stay small.
 */
public record DeadLetter(
    SourceRecord source, String stage, String reason, String errorClass, String message)
    implements Serializable {

  public DeadLetter {
    if (reason == null) {
      throw new IllegalArgumentException("a dead letter needs a reason");
    }
    errorClass = BoundedText.of(errorClass, 200);
    message = BoundedText.message(message);
  }

  /** A dead letter for what {@code error} says, typed by {@code reason}. */
  public static DeadLetter of(SourceRecord source, String stage, Enum<?> reason, Throwable error) {
    String message =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return of(source, stage, reason, error.getClass().getName(), message);
  }

  public static DeadLetter of(
      SourceRecord source, String stage, Enum<?> reason, String errorClass, String message) {
    return new DeadLetter(source, stage, reason.name(), errorClass, message);
  }
}
