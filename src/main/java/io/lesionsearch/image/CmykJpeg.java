package io.lesionsearch.image;

import java.awt.image.Raster;

/**
 * Four-component JPEGs, which the JDK's reader only hands out as raw samples. This reproduces what
 * libjpeg and Pillow do with them: YCCK is turned into CMYK, Adobe-marked files are stored
 * inverted, and Pillow's CMYK to RGB conversion is {@code (255 - K) - C * (255 - K) / 255} per
 * channel.
 */
final class CmykJpeg {

  private static final int SCALE_BITS = 16;
  private static final int ONE_HALF = 1 << (SCALE_BITS - 1);

  private CmykJpeg() {}

  static RgbImage toRgb(Raster raster, int adobeTransform) {
    int width = raster.getWidth();
    int height = raster.getHeight();
    byte[] rgb = new byte[width * height * 3];
    int[] row = new int[width * 4];
    int[] cmyk = new int[4];
    boolean inverted = adobeTransform >= 0;
    int o = 0;
    for (int y = 0; y < height; y++) {
      raster.getPixels(0, y, width, 1, row);
      for (int x = 0; x < width; x++) {
        int p = x * 4;
        if (adobeTransform == 2) {
          yccToInvertedRgb(row[p], row[p + 1], row[p + 2], cmyk);
        } else {
          cmyk[0] = row[p];
          cmyk[1] = row[p + 1];
          cmyk[2] = row[p + 2];
        }
        cmyk[3] = row[p + 3];
        for (int c = 0; c < 4; c++) {
          if (inverted) {
            cmyk[c] = 255 - cmyk[c];
          }
        }
        int notK = 255 - cmyk[3];
        for (int c = 0; c < 3; c++) {
          rgb[o++] = (byte) clip(notK - mulDiv255(cmyk[c], notK));
        }
      }
    }
    return RgbImage.packed(width, height, rgb);
  }

  /** libjpeg's YCCK to CMYK colour step (jdcolor.c), fixed point with 16 fraction bits. */
  private static void yccToInvertedRgb(int luma, int cb, int cr, int[] out) {
    int cbc = cb - 128;
    int crc = cr - 128;
    int r = luma + ((fix(1.40200) * crc + ONE_HALF) >> SCALE_BITS);
    int g = luma + ((-fix(0.34414) * cbc - fix(0.71414) * crc + ONE_HALF) >> SCALE_BITS);
    int b = luma + ((fix(1.77200) * cbc + ONE_HALF) >> SCALE_BITS);
    out[0] = 255 - clip(r);
    out[1] = 255 - clip(g);
    out[2] = 255 - clip(b);
  }

  private static int fix(double x) {
    return (int) (x * (1L << SCALE_BITS) + 0.5);
  }

  private static int mulDiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  }

  private static int clip(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }
}
