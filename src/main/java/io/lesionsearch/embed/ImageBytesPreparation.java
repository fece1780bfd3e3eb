package io.lesionsearch.embed;

import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.RgbImage;
import io.lesionsearch.image.Thumbnails;

/**
 * Image bytes to the model's input, decoded once for both the tensor and the optional preview. The
 * decoder carries the job's pixel limit and the TaskManager's pixel budget.
 */
public final class ImageBytesPreparation implements Preparation<byte[]> {

  private final VitPreprocessor preprocessor;
  private final ImageDecoder decoder;
  private final int thumbnailSize;

  /**
   * @param thumbnailSize longest side of the preview; 0 for none
   */
  public ImageBytesPreparation(ModelManifest manifest, ImageDecoder decoder, int thumbnailSize) {
    this.preprocessor = new VitPreprocessor(manifest);
    this.decoder = decoder;
    this.thumbnailSize = thumbnailSize;
  }

  @Override
  public Prepared prepare(byte[] image) throws ImageDecodeException {
    RgbImage rgb = decoder.decode(image);
    float[] pixels = preprocessor.pixels(rgb);
    return new Prepared(
        pixels, thumbnailSize > 0 ? Thumbnails.base64Jpeg(rgb, thumbnailSize) : null);
  }
}
