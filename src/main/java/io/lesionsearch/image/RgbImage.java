package io.lesionsearch.image;

/**
 * 8-bit RGB pixels, interleaved row by row: the form every input is brought to before resizing, as
 * Pillow's {@code convert("RGB")} does.
 */
public record RgbImage(int width, int height, byte[] rgb) {
  public RgbImage {
    if (rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "expected " + width * height * 3 + " bytes for " + width + "x" + height + ", got " + rgb.length);
    }
  }
}
