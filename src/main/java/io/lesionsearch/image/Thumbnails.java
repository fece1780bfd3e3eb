package io.lesionsearch.image;

import java.awt.image.BufferedImage;
import java.util.Base64;

/**
 * Small JPEG previews that travel in a point's payload, so any client of any deployment can show a
 * hit without access to the original image store. Resized with the Pillow-exact filter because it
 * antialiases (Java2D's bilinear would alias on a 5x shrink); never enlarged.
 */
public final class Thumbnails {

  /** Quality 0.85 keeps a 128-pixel preview near 5 KB, about 7 KB in base64. */
  private static final float QUALITY = 0.85f;

  private Thumbnails() {}

  /**
   * The size the longest side is brought to {@code maxSide}, aspect kept, at least 1 pixel a side.
   */
  public static int[] size(int width, int height, int maxSide) {
    if (maxSide < 1) {
      throw new IllegalArgumentException("thumbnail size must be positive, got " + maxSide);
    }
    int longest = Math.max(width, height);
    if (longest <= maxSide) {
      return new int[] {width, height};
    }
    double scale = (double) maxSide / longest;
    return new int[] {
      Math.max(1, (int) Math.round(width * scale)), Math.max(1, (int) Math.round(height * scale))
    };
  }

  public static byte[] jpeg(RgbImage image, int maxSide) {
    int[] size = size(image.width(), image.height(), maxSide);
    byte[] rgb = new PillowBilinearResizer(size[0], size[1]).resize(image);
    BufferedImage out = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
    int[] pixels = new int[size[0] * size[1]];
    for (int i = 0, p = 0; i < pixels.length; i++, p += 3) {
      pixels[i] = (rgb[p] & 0xFF) << 16 | (rgb[p + 1] & 0xFF) << 8 | (rgb[p + 2] & 0xFF);
    }
    out.setRGB(0, 0, size[0], size[1], pixels, 0, size[0]);
    return JpegEncoder.encode(out, QUALITY);
  }

  public static String base64Jpeg(RgbImage image, int maxSide) {
    return Base64.getEncoder().encodeToString(jpeg(image, maxSide));
  }
}
