package io.lesionsearch.ingest;

import io.lesionsearch.image.ImageLimits;
import java.io.Serializable;
import java.util.List;

/**
 * How the embed stage works, as the job was told it.
 *
 * @param modelDir model directory, read on every TaskManager
 * @param batchSize images per inference batch
 * @param maxDelayMs longest an image waits for its batch to fill
 * @param thumbnailSize longest side of the payload's JPEG preview; 0 for none
 * @param images what one image may cost
 * @param imageRoots the directories image_uri may read below; none turns image_uri off
 */
public record EmbedSettings(
    String modelDir,
    int batchSize,
    long maxDelayMs,
    int thumbnailSize,
    ImageLimits images,
    List<String> imageRoots)
    implements Serializable {

  public EmbedSettings {
    if (batchSize < 1 || maxDelayMs < 1) {
      throw new IllegalArgumentException(
          "batch size and max delay must be positive: " + batchSize + ", " + maxDelayMs);
    }
    if (thumbnailSize < 0) {
      throw new IllegalArgumentException(
          "thumbnail size must be 0 (none) or positive: " + thumbnailSize);
    }
    imageRoots = List.copyOf(imageRoots);
  }

  /** Default image limits, no preview, no image roots. */
  public static EmbedSettings of(String modelDir, int batchSize, long maxDelayMs) {
    return new EmbedSettings(modelDir, batchSize, maxDelayMs, 0, ImageLimits.defaults(), List.of());
  }

  public EmbedSettings withThumbnails(int size) {
    return new EmbedSettings(modelDir, batchSize, maxDelayMs, size, images, imageRoots);
  }

  public EmbedSettings withImageRoots(List<String> roots) {
    return new EmbedSettings(modelDir, batchSize, maxDelayMs, thumbnailSize, images, roots);
  }

  public EmbedSettings withImages(ImageLimits limits) {
    return new EmbedSettings(modelDir, batchSize, maxDelayMs, thumbnailSize, limits, imageRoots);
  }
}
