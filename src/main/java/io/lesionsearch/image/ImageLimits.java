package io.lesionsearch.image;

import java.io.Serializable;
import java.time.Duration;

/**
 * What one image may cost a job, as both jobs are told it: its bytes, its pixels, the pixels all
 * decodes on a TaskManager may hold at once, and the time a decode may take.
 *
 * @param maxBytes largest image file (after base64, for inline images)
 * @param maxPixels largest image, width times height, refused from its header
 * @param budgetPixels the TaskManager's {@link PixelBudget}
 * @param decodeTimeout longest a decode may take, waiting for the budget included
 */
public record ImageLimits(int maxBytes, long maxPixels, long budgetPixels, Duration decodeTimeout)
    implements Serializable {

  public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
  public static final Duration DEFAULT_DECODE_TIMEOUT = Duration.ofSeconds(30);

  public ImageLimits {
    if (maxBytes < 1 || maxPixels < 1 || decodeTimeout.isNegative() || decodeTimeout.isZero()) {
      throw new IllegalArgumentException(
          "image limits must be positive: "
              + maxBytes
              + " bytes, "
              + maxPixels
              + " pixels, "
              + decodeTimeout);
    }
    if (budgetPixels < maxPixels || budgetPixels > PixelBudget.MAX_PIXELS) {
      throw new IllegalArgumentException(
          "the pixel budget must hold at least one image of the largest size ("
              + maxPixels
              + ") and at most "
              + PixelBudget.MAX_PIXELS
              + " pixels, got "
              + budgetPixels);
    }
  }

  public static ImageLimits defaults() {
    return new ImageLimits(
        DEFAULT_MAX_BYTES,
        ImageDecoder.DEFAULT_MAX_PIXELS,
        PixelBudget.DEFAULT_PIXELS,
        DEFAULT_DECODE_TIMEOUT);
  }

  /**
   * A decoder that holds its pixels from this JVM's shared budget, waiting at most the decode
   * timeout.
   */
  public ImageDecoder decoder() {
    return new ImageDecoder(maxPixels, PixelBudget.shared(budgetPixels), decodeTimeout);
  }
}
