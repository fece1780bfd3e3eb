package io.lesionsearch.image;

import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * The common case, 8-bit grey, RGB or RGBA in one byte array (every JPEG and most PNGs), used in
 * place: no copy, no per-pixel calls.
 */
final class InterleavedBytes {
  private InterleavedBytes() {}

  /**
   * Returns a view of the RGB pixels, or null when the raster is not a plain interleaved byte
   * layout.
   */
  static RgbImage toRgb(Raster raster, ColorModel model) {
    if (model instanceof IndexColorModel
        || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
        || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
        || raster.getSampleModelTranslateX() != 0
        || raster.getSampleModelTranslateY() != 0
        || buffer.getNumBanks() != 1) {
      return null;
    }
    int bands = raster.getNumBands();
    if (bands != 1 && bands != 3 && bands != 4) {
      return null;
    }
    for (int b = 0; b < bands; b++) {
      if (sm.getSampleSize(b) != 8) {
        return null;
      }
    }
    int[] offsets = sm.getBandOffsets();
    int green = offsets[bands == 1 ? 0 : 1];
    int blue = offsets[bands == 1 ? 0 : 2];
    return new RgbImage(
        raster.getWidth(),
        raster.getHeight(),
        buffer.getData(),
        buffer.getOffset(),
        sm.getPixelStride(),
        sm.getScanlineStride(),
        offsets[0],
        green,
        blue);
  }
}
