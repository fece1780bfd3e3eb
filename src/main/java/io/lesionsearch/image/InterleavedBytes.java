package io.lesionsearch.image;

import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * The common case, 8-bit grey, RGB or RGBA in one byte array (every JPEG and most PNGs), copied
 * straight from the array: about a millisecond less per 600x450 image than the per-pixel path.
 */
final class InterleavedBytes {
  private InterleavedBytes() {}

  /** Returns the RGB pixels, or null when the raster is not a plain interleaved byte layout. */
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
    int width = raster.getWidth();
    int height = raster.getHeight();
    byte[] data = buffer.getData();
    int[] offsets = sm.getBandOffsets();
    int r = offsets[0];
    int g = offsets[bands == 1 ? 0 : 1];
    int b = offsets[bands == 1 ? 0 : 2];
    int pixelStride = sm.getPixelStride();
    int lineStride = sm.getScanlineStride();
    byte[] rgb = new byte[width * height * 3];
    int o = 0;
    for (int y = 0; y < height; y++) {
      int p = buffer.getOffset() + y * lineStride;
      for (int x = 0; x < width; x++, p += pixelStride) {
        rgb[o++] = data[p + r];
        rgb[o++] = data[p + g];
        rgb[o++] = data[p + b];
      }
    }
    return new RgbImage(width, height, rgb);
  }
}
