package io.lesionsearch.embed;

import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecodeException.Reason;
import io.lesionsearch.kafka.BoundedText;
import java.io.IOException;

/** What the embedding stage made of one image: its vector, or why it has none. */
public sealed interface EmbedResult permits EmbedResult.Vector, EmbedResult.Failure {

  /**
   * @param thumbnail the preview made from the same decode, or null when none was asked for
   */
  record Vector(float[] vector, String thumbnail) implements EmbedResult {}

  /**
   * @param message why, cut to {@link BoundedText#MESSAGE_CHARS}: it ends up in dead letters and
   *     replies
   */
  record Failure(Reason reason, String message) implements EmbedResult {
    public Failure {
      if (reason == null) {
        throw new IllegalArgumentException("a failure needs a reason");
      }
      message = BoundedText.message(message);
    }

    /**
     * Whatever one image's read or decode threw, as that image's failure. Errors are passed in only
     * when they leave the JVM able to go on (see {@link Preparation}).
     */
    public static Failure of(Throwable e) {
      if (e instanceof ImageDecodeException d) {
        return new Failure(d.reason(), d.getMessage());
      }
      if (e instanceof IOException) {
        return new Failure(Reason.UNREADABLE, "reading the image failed: " + e);
      }
      return new Failure(Reason.FAILED, "decoding the image failed: " + e);
    }

    /** For callers that report failures as exceptions (dead letters). */
    public ImageDecodeException toException() {
      return new ImageDecodeException(reason, message);
    }
  }
}
