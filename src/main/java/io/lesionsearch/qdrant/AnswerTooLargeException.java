package io.lesionsearch.qdrant;

/**
 * The cause the client's channel gives its own refusal of an answer over {@code maxInboundBytes},
 * so that callers can tell it from Qdrant's RESOURCE_EXHAUSTED (an overload) without reading gRPC's
 * text.
 */
public final class AnswerTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AnswerTooLargeException(int maxInboundBytes) {
    super("Qdrant's answer is larger than the client accepts (" + maxInboundBytes + " bytes)");
  }
}
