package io.lesionsearch.produce;

/**
 * Producing cannot start or go on: Kafka unreachable, topic missing, or a send that Kafka refused.
 */
public final class ProduceException extends Exception {
  public ProduceException(String message, Throwable cause) {
    super(message, cause);
  }
}
