package io.lesionsearch.kafka;

import java.io.Serializable;

/**
 * A record that could not be indexed, with why (stage, error class, message) and where it came from.
 * The message is cut to {@link BoundedText#MESSAGE_CHARS}, so whatever a record holds, its dead
 * letter's headers stay small.
 */
public record DeadLetter(SourceRecord source, String stage, String errorClass, String message)
    implements Serializable {

  public DeadLetter {
    errorClass = BoundedText.of(errorClass, 200);
    message = BoundedText.message(message);
  }

  public static DeadLetter of(SourceRecord source, String stage, Throwable error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return new DeadLetter(source, stage, error.getClass().getName(), message);
  }
}
