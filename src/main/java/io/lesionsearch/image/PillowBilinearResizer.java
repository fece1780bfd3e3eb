package io.lesionsearch.image;

/**
 * Resizes 8-bit RGB exactly as Pillow's {@code Image.resize(size, BILINEAR)} does (Resample.c): a
 * separable triangle filter whose support widens with the scale when shrinking (so it antialiases),
 * fixed-point coefficients with 22 fractional bits, a horizontal pass rounded to 8 bits, then a
 * vertical pass (the other way round where Pillow 13 does so). Java2D's bilinear differs by up to
 * 80 grey levels on downscales, which would move every embedding away from what the Python tutorial
 * computes.
 */
public final class PillowBilinearResizer {

  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final int HALF = 1 << (PRECISION_BITS - 1);

  private final int outWidth;
  private final int outHeight;

  /** Most inputs of a job have one size; shared by the decode threads, replaced as a whole. */
  private volatile Coefficients[] lastCoefficients;

  public PillowBilinearResizer(int outWidth, int outHeight) {
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
    byte[] out = new byte[outWidth * outHeight * 3];
    resample(in, out, null, null);
    return out;
  }

  /**
   * Resizes and maps each resized 8-bit sample {@code v} of channel {@code c} to {@code table[c *
   * 256 + v]}, written channels first: {@code out[(c * outHeight + y) * outWidth + x]}. The samples
   * are those {@link #resize} returns; the model's normalisation rides on the last pass instead of
   * a pass of its own over an interleaved copy.
   */
  public void resizeInto(RgbImage in, float[] table, float[] out) {
    if (table.length != 3 * 256 || out.length != 3 * outWidth * outHeight) {
      throw new IllegalArgumentException(
          "expected a table of 768 and an output of "
              + 3 * outWidth * outHeight
              + " floats, got "
              + table.length
              + " and "
              + out.length);
    }
    resample(in, null, table, out);
  }

  /** Pillow's two passes; the last one writes the output, as bytes or through the table. */
  private void resample(RgbImage in, byte[] bytesOut, float[] table, float[] floatsOut) {
    Coefficients[] k = coefficients(in.width(), in.height());
    Coefficients vertical = k[1];
    boolean needVertical = outHeight != in.height();
    // Pillow 13 (python-pillow/Pillow#9549) runs the vertical pass first when the height loses more
    // than twice as many pixels as the width; the order moves the 8-bit rounding, up to 1 grey
    // level.
    int heightLoss = in.height() - outHeight;
    if (outWidth != in.width()
        && needVertical
        && heightLoss > 0
        && heightLoss > (in.width() - outWidth) * 2) {
      byte[] shortened = verticalFirst(in, vertical);
      byte[] done =
          horizontalPass(RgbImage.packed(in.width(), outHeight, shortened), 0, outHeight, k[0]);
      int stride = outWidth * 3;
      int[] samples = new int[stride];
      for (int yy = 0; yy < outHeight; yy++) {
        for (int i = 0, row = yy * stride; i < stride; i++) {
          samples[i] = done[row + i] & 0xFF;
        }
        writeRow(yy, samples, bytesOut, table, floatsOut);
      }
      return;
    }
    // Pillow resamples only the source rows the vertical pass will read; same result, less work.
    int firstRow = needVertical ? vertical.min[0] : 0;
    int rows =
        needVertical
            ? vertical.min[outHeight - 1] + vertical.count[outHeight - 1] - firstRow
            : in.height();
    byte[] narrowed =
        outWidth != in.width()
            ? horizontalPass(in, firstRow, rows, k[0])
            : packedRows(in, firstRow, rows);
    int stride = outWidth * 3;
    int[] samples = new int[stride];
    for (int yy = 0; yy < outHeight; yy++) {
      if (needVertical) {
        verticalRow(narrowed, stride, firstRow, vertical, yy, samples);
      } else {
        for (int i = 0, row = yy * stride; i < stride; i++) {
          samples[i] = narrowed[row + i] & 0xFF;
        }
      }
      writeRow(yy, samples, bytesOut, table, floatsOut);
    }
  }

  /**
   * Output row {@code yy} from its 8-bit samples: as bytes, or through the table channels first.
   */
  private void writeRow(int yy, int[] samples, byte[] bytesOut, float[] table, float[] floatsOut) {
    if (floatsOut != null) {
      int plane = outWidth * outHeight;
      int o = yy * outWidth;
      for (int x = 0, i = 0; x < outWidth; x++, i += 3) {
        floatsOut[o + x] = table[samples[i]];
        floatsOut[plane + o + x] = table[256 + samples[i + 1]];
        floatsOut[2 * plane + o + x] = table[512 + samples[i + 2]];
      }
    } else {
      int stride = outWidth * 3;
      for (int i = 0, o = yy * stride; i < stride; i++) {
        bytesOut[o + i] = (byte) samples[i];
      }
    }
  }

  /** The vertical pass over the whole source, for Pillow 13's vertical-first order. */
  private byte[] verticalFirst(RgbImage in, Coefficients vertical) {
    byte[] packed = in.toPackedRgb();
    int stride = in.width() * 3;
    byte[] out = new byte[stride * outHeight];
    int[] samples = new int[stride];
    for (int yy = 0; yy < outHeight; yy++) {
      verticalRow(packed, stride, 0, vertical, yy, samples);
      for (int i = 0, o = yy * stride; i < stride; i++) {
        out[o + i] = (byte) samples[i];
      }
    }
    return out;
  }

  /** The source rows as packed RGB, for a resize that keeps the width. */
  private static byte[] packedRows(RgbImage in, int firstRow, int rows) {
    byte[] src = in.data();
    int stride = in.pixelStride();
    int width = in.width();
    byte[] out = new byte[width * rows * 3];
    int o = 0;
    for (int y = 0; y < rows; y++) {
      for (int x = 0, p = in.offset() + (y + firstRow) * in.lineStride(); x < width; x++) {
        out[o++] = src[p + in.red()];
        out[o++] = src[p + in.green()];
        out[o++] = src[p + in.blue()];
        p += stride;
      }
    }
    return out;
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
        out[o++] = (byte) clip8(s0);
        out[o++] = (byte) clip8(s1);
        out[o++] = (byte) clip8(s2);
      }
    }
    return out;
  }

  /** One output row of the vertical pass, as 8-bit samples in {@code out}. */
  private static void verticalRow(
      byte[] src, int stride, int firstRow, Coefficients k, int yy, int[] out) {
    java.util.Arrays.fill(out, HALF);
    // Row by row over the taps: a contiguous multiply-add the JIT can vectorise.
    for (int y = 0, n = k.count[yy]; y < n; y++) {
      int w = k.weights[yy * k.ksize + y];
      int row = (k.min[yy] - firstRow + y) * stride;
      for (int i = 0; i < stride; i++) {
        out[i] += (src[row + i] & 0xFF) * w;
      }
    }
    for (int i = 0; i < stride; i++) {
      out[i] = clip8(out[i]);
    }
  }

  /** Pillow's clip8: the fixed-point sum to 0..255 (written so that the JIT can vectorise it). */
  private static int clip8(int v) {
    return Math.min(Math.max(v >> PRECISION_BITS, 0), 255);
  }

  /** The horizontal and vertical coefficients; the last input size's are kept for the next. */
  private Coefficients[] coefficients(int inWidth, int inHeight) {
    Coefficients[] last = lastCoefficients;
    if (last != null && last[0].inSize == inWidth && last[1].inSize == inHeight) {
      return last;
    }
    Coefficients[] k = {Coefficients.of(inWidth, outWidth), Coefficients.of(inHeight, outHeight)};
    lastCoefficients = k;
    return k;
  }

  /**
   * Per output pixel: first source pixel, tap count and fixed-point weights (Pillow's
   * precompute_coeffs).
   */
  private static final class Coefficients {
    final int inSize;
    final int ksize;
    final int[] min;
    final int[] count;
    final int[] weights;

    private Coefficients(int inSize, int ksize, int[] min, int[] count, int[] weights) {
      this.inSize = inSize;
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
      return new Coefficients(inSize, ksize, min, count, weights);
    }

    private static double triangle(double x) {
      x = Math.abs(x);
      return x < 1.0 ? 1.0 - x : 0.0;
    }
  }
}
