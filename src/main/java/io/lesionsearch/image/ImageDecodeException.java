package io.lesionsearch.image;

/**
 * A typed, user-facing reason why bytes could not become pixels; callers dead-letter or reply with
 * it.
 */
public final class ImageDecodeException extends Exception {

  /** What went wrong, stable enough for dead-letter reasons and error replies. */
  public enum Reason {
    EMPTY,
    UNREADABLE,
    NOT_AN_IMAGE,
    UNSUPPORTED_FORMAT,
    TOO_LARGE,
    CORRUPT,
    /** The TaskManager's pixel budget stayed in use by other decodes: retry later. */
    BUSY,
    /** The decode did not finish in time. */
    TIMEOUT,
    /** Reading or decoding failed in a way no reason above covers (a fault of the decoder). */
    FAILED
  }

  private final Reason reason;

  public ImageDecodeException(Reason reason, String message) {
    this(reason, message, null);
  }

  public ImageDecodeException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
