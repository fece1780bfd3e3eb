package io.lesionsearch.options;

import static io.lesionsearch.config.Check.require;

import io.lesionsearch.image.ImageLimits;
import java.time.Duration;
import picocli.CommandLine.Option;

/** What one image may cost, as both jobs are told it (a picocli mixin); see {@link ImageLimits}. */
public final class ImageOptions {

  @Option(
      names = "--max-image-bytes",
      defaultValue = "16777216",
      description =
          "Largest image in bytes, inline (decoded from base64) or read from image_uri (default: ${DEFAULT-VALUE}).")
  public int maxImageBytes;

  @Option(
      names = "--max-pixels",
      defaultValue = "36000000",
      description =
          "Largest image in pixels (width x height), refused from its header before any pixel memory is taken (default: ${DEFAULT-VALUE}).")
  public long maxPixels;

  @Option(
      names = "--pixel-budget",
      defaultValue = "100000000",
      description =
          "Pixels all image decodes on one TaskManager may hold at once, shared by every job there; the first job on a TaskManager sets it (default: ${DEFAULT-VALUE}).")
  public long pixelBudget;

  @Option(
      names = "--decode-timeout-ms",
      defaultValue = "30000",
      description =
          "Longest one image's read and decode may take, waiting for the pixel budget included (default: ${DEFAULT-VALUE}).")
  public long decodeTimeoutMs;

  /** Checked here, naming the options, before ImageLimits checks them again in its own words. */
  public ImageLimits toLimits() {
    require(maxImageBytes >= 1, "--max-image-bytes must be positive, got " + maxImageBytes);
    require(maxPixels >= 1, "--max-pixels must be positive, got " + maxPixels);
    require(
        pixelBudget >= maxPixels && pixelBudget <= Integer.MAX_VALUE,
        "--pixel-budget must be at least --max-pixels ("
            + maxPixels
            + ") and at most "
            + Integer.MAX_VALUE
            + ", got "
            + pixelBudget);
    require(decodeTimeoutMs >= 1, "--decode-timeout-ms must be positive, got " + decodeTimeoutMs);
    return new ImageLimits(
        maxImageBytes, maxPixels, pixelBudget, Duration.ofMillis(decodeTimeoutMs));
  }
}
