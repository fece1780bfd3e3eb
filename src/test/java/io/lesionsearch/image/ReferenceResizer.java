package io.lesionsearch.image;

/**
 * The resizer as it was before its passes were restructured (issue 16), with Pillow 13's pass
 * order, kept as the reference the rewritten one must equal sample for sample; it matched Pillow on
 * every shipped image.
 */
final class ReferenceResizer {

  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final int HALF = 1 << (PRECISION_BITS - 1);

  private final int outWidth;
  private final int outHeight;

  ReferenceResizer(int outWidth, int outHeight) {
    if (outWidth < 1 || outHeight < 1) {
      throw new IllegalArgumentException(
          "output size must be positive: " + outWidth + "x" + outHeight);
    }
    this.outWidth = outWidth;
    this.outHeight = outHeight;
  }

  public int outWidth() {
    return outWidth;
  }

  public int outHeight() {
    return outHeight;
  }

  /** Returns the resized image as interleaved RGB bytes, {@code outWidth * outHeight * 3} long. */
  public byte[] resize(RgbImage in) {
    Coefficients horizontal = Coefficients.of(in.width(), outWidth);
    Coefficients vertical = Coefficients.of(in.height(), outHeight);

    boolean needHorizontal = outWidth != in.width();
    boolean needVertical = outHeight != in.height();
    if (!needHorizontal) {
      byte[] packed = in.toPackedRgb();
      return needVertical ? verticalPass(packed, in.width(), 0, vertical) : packed.clone();
    }
    // Pillow 13 (python-pillow/Pillow#9549) runs the vertical pass first when the height loses more
    // than twice as many pixels as the width; the order moves the 8-bit rounding, up to 1 grey
    // level.
    int heightLoss = in.height() - outHeight;
    if (needVertical && heightLoss > 0 && heightLoss > (in.width() - outWidth) * 2) {
      byte[] shortened = verticalPass(in.toPackedRgb(), in.width(), 0, vertical);
      return horizontalPass(
          RgbImage.packed(in.width(), outHeight, shortened), 0, outHeight, horizontal);
    }
    // Pillow resamples only the source rows the vertical pass will read; same result, less work.
    int firstRow = vertical.min[0];
    int rows = vertical.min[outHeight - 1] + vertical.count[outHeight - 1] - firstRow;
    byte[] narrowed = horizontalPass(in, firstRow, rows, horizontal);
    return needVertical ? verticalPass(narrowed, outWidth, firstRow, vertical) : narrowed;
  }

  private byte[] horizontalPass(RgbImage in, int firstRow, int rows, Coefficients k) {
    byte[] src = in.data();
    int stride = in.pixelStride();
    int r = in.red();
    int g = in.green();
    int b = in.blue();
    byte[] out = new byte[outWidth * rows * 3];
    int ksize = k.ksize;
    for (int y = 0; y < rows; y++) {
      int rowBase = in.offset() + (y + firstRow) * in.lineStride();
      int o = y * outWidth * 3;
      for (int xx = 0; xx < outWidth; xx++) {
        int s0 = HALF;
        int s1 = HALF;
        int s2 = HALF;
        int p = rowBase + k.min[xx] * stride;
        int kb = xx * ksize;
        for (int x = 0, n = k.count[xx]; x < n; x++, p += stride) {
          int w = k.weights[kb + x];
          s0 += (src[p + r] & 0xFF) * w;
          s1 += (src[p + g] & 0xFF) * w;
          s2 += (src[p + b] & 0xFF) * w;
        }
        out[o++] = clip8(s0);
        out[o++] = clip8(s1);
        out[o++] = clip8(s2);
      }
    }
    return out;
  }

  private byte[] verticalPass(byte[] src, int width, int firstRow, Coefficients k) {
    byte[] out = new byte[width * outHeight * 3];
    int ksize = k.ksize;
    int stride = width * 3;
    int[] sums = new int[stride];
    for (int yy = 0; yy < outHeight; yy++) {
      java.util.Arrays.fill(sums, HALF);
      // Row by row over the taps: a contiguous multiply-add the JIT can vectorise.
      for (int y = 0, n = k.count[yy]; y < n; y++) {
        int w = k.weights[yy * ksize + y];
        int row = (k.min[yy] - firstRow + y) * stride;
        for (int i = 0; i < stride; i++) {
          sums[i] += (src[row + i] & 0xFF) * w;
        }
      }
      int o = yy * stride;
      for (int i = 0; i < stride; i++) {
        out[o + i] = clip8(sums[i]);
      }
    }
    return out;
  }

  private static byte clip8(int v) {
    if (v >= (1 << PRECISION_BITS << 8)) {
      return (byte) 255;
    }
    if (v <= 0) {
      return 0;
    }
    return (byte) (v >> PRECISION_BITS);
  }

  /**
   * Per output pixel: first source pixel, tap count and fixed-point weights (Pillow's
   * precompute_coeffs).
   */
  private static final class Coefficients {
    final int ksize;
    final int[] min;
    final int[] count;
    final int[] weights;

    private Coefficients(int ksize, int[] min, int[] count, int[] weights) {
      this.ksize = ksize;
      this.min = min;
      this.count = count;
      this.weights = weights;
    }

    static Coefficients of(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = 1.0 * filterScale; // BILINEAR's support is 1
      int ksize = (int) Math.ceil(support) * 2 + 1;
      int[] min = new int[outSize];
      int[] count = new int[outSize];
      int[] weights = new int[outSize * ksize];
      double[] k = new double[ksize];
      for (int xx = 0; xx < outSize; xx++) {
        double center = (xx + 0.5) * scale;
        double ss = 1.0 / filterScale;
        int xmin = Math.max((int) (center - support + 0.5), 0);
        int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
        double ww = 0.0;
        for (int x = 0; x < xmax; x++) {
          double w = triangle((x + xmin - center + 0.5) * ss);
          k[x] = w;
          ww += w;
        }
        for (int x = 0; x < xmax; x++) {
          double w = ww != 0.0 ? k[x] / ww : k[x];
          weights[xx * ksize + x] =
              (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
        }
        min[xx] = xmin;
        count[xx] = xmax;
      }
      return new Coefficients(ksize, min, count, weights);
    }

    private static double triangle(double x) {
      x = Math.abs(x);
      return x < 1.0 ? 1.0 - x : 0.0;
    }
  }
}
