package io.lesionsearch.kafka;

import java.io.Serializable;

/** A record that could not be indexed, with why (stage, error class, message) and where it came from. */
public record DeadLetter(SourceRecord source, String stage, String errorClass, String message)
    implements Serializable {

  public static DeadLetter of(SourceRecord source, String stage, Throwable error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return new DeadLetter(source, stage, error.getClass().getName(), message);
  }
}
