package io.lesionsearch.embed;

import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.PillowBilinearResizer;
import io.lesionsearch.image.RgbImage;

/**
 * Image bytes to the model's input tensor, as Hugging Face's ViTImageProcessor computes it: RGB,
 * Pillow bilinear resize, {@code x * rescale} rounded to float32, then {@code (x - mean) / std} in
 * float32, channels first. Stateless and thread-safe, so one instance serves every decode thread.
 */
public final class VitPreprocessor {

  /**
   * Default limits and no pixel budget: jobs decode through an {@link ImageBytesPreparation}
   * instead.
   */
  private final ImageDecoder decoder = new ImageDecoder();

  private final PillowBilinearResizer resizer;

  /**
   * normalised[c * 256 + v]: the float32 value of 8-bit sample v in channel c; 768 floats replace
   * all arithmetic.
   */
  private final float[] normalised = new float[3 * 256];

  public VitPreprocessor(ModelManifest manifest) {
    this.resizer = new PillowBilinearResizer(manifest.width(), manifest.height());
    for (int c = 0; c < 3; c++) {
      float mean = manifest.imageMean().get(c).floatValue();
      float std = manifest.imageStd().get(c).floatValue();
      for (int v = 0; v < 256; v++) {
        float rescaled = (float) (v * manifest.rescaleFactor());
        normalised[c * 256 + v] = (rescaled - mean) / std;
      }
    }
  }

  /** Decodes, resizes and normalises; the result is [3, height, width] flattened. */
  public float[] preprocess(byte[] imageBytes) throws ImageDecodeException {
    return pixels(decoder.decode(imageBytes));
  }

  /**
   * Resizes and normalises a decoded image: the same floats as {@code normalise(resize(image))},
   * normalised as the resize writes its last pass.
   */
  public float[] pixels(RgbImage image) {
    float[] chw = new float[3 * resizer.outWidth() * resizer.outHeight()];
    resizer.resizeInto(image, normalised, chw);
    return chw;
  }

  /** The resized 8-bit RGB, before normalisation: what `embed --pixels` compares with Pillow. */
  public byte[] resize(RgbImage image) {
    return resizer.resize(image);
  }

  public float[] normalise(byte[] resizedRgb) {
    int plane = resizer.outWidth() * resizer.outHeight();
    float[] chw = new float[3 * plane];
    for (int i = 0, p = 0; i < plane; i++, p += 3) {
      chw[i] = normalised[resizedRgb[p] & 0xFF];
      chw[plane + i] = normalised[256 + (resizedRgb[p + 1] & 0xFF)];
      chw[2 * plane + i] = normalised[512 + (resizedRgb[p + 2] & 0xFF)];
    }
    return chw;
  }
}
