package io.lesionsearch.image;

/**
 * 8-bit RGB pixels, the form every input is brought to before resizing, as Pillow's {@code
 * convert("RGB")} does. A view over interleaved bytes in any channel order and stride, so the
 * decoder's own buffer (BGR for JPEGs) is resized in place instead of being copied first.
 *
 * @param offset index of the first pixel's first byte
 * @param pixelStride bytes from one pixel to the next
 * @param lineStride bytes from one row to the next
 * @param red offset of the red byte within a pixel; likewise green and blue
 */
public record RgbImage(
    int width,
    int height,
    byte[] data,
    int offset,
    int pixelStride,
    int lineStride,
    int red,
    int green,
    int blue) {

  public RgbImage {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("empty image: " + width + "x" + height);
    }
    long last =
        offset
            + (long) (height - 1) * lineStride
            + (long) (width - 1) * pixelStride
            + Math.max(red, Math.max(green, blue));
    if (offset < 0 || last >= data.length) {
      throw new IllegalArgumentException(
          width + "x" + height + " pixels do not fit in " + data.length + " bytes");
    }
  }

  /** Tightly packed R, G, B bytes, row by row. */
  public static RgbImage packed(int width, int height, byte[] rgb) {
    if (rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "expected "
              + width * height * 3
              + " bytes for "
              + width
              + "x"
              + height
              + ", got "
              + rgb.length);
    }
    return new RgbImage(width, height, rgb, 0, 3, width * 3, 0, 1, 2);
  }

  /** The pixels as packed R, G, B bytes (the data itself when already so laid out). */
  public byte[] toPackedRgb() {
    if (offset == 0
        && pixelStride == 3
        && lineStride == width * 3
        && red == 0
        && green == 1
        && blue == 2
        && data.length == width * height * 3) {
      return data;
    }
    byte[] rgb = new byte[width * height * 3];
    int o = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0, p = offset + y * lineStride; x < width; x++, p += pixelStride) {
        rgb[o++] = data[p + red];
        rgb[o++] = data[p + green];
        rgb[o++] = data[p + blue];
      }
    }
    return rgb;
  }
}
