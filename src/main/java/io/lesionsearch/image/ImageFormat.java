package io.lesionsearch.image;

import java.nio.charset.StandardCharsets;

/**
 * Formats recognised by their leading bytes, so a wrong file extension or content type cannot fool
 * us.
 */
public enum ImageFormat {
  JPEG(true),
  PNG(true),
  GIF(false),
  BMP(false),
  TIFF(false),
  WEBP(false);

  private final boolean supported;

  ImageFormat(boolean supported) {
    this.supported = supported;
  }

  public boolean supported() {
    return supported;
  }

  /**
   * Returns the format of {@code data}, or null when the bytes start like no image format we know.
   */
  public static ImageFormat sniff(byte[] data) {
    if (startsWith(data, 0xFF, 0xD8, 0xFF)) {
      return JPEG;
    }
    if (startsWith(data, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return PNG;
    }
    if (startsWith(data, 'G', 'I', 'F', '8')) {
      return GIF;
    }
    if (startsWith(data, 'B', 'M')) {
      return BMP;
    }
    if (startsWith(data, 'I', 'I', 42, 0) || startsWith(data, 'M', 'M', 0, 42)) {
      return TIFF;
    }
    if (data.length >= 12
        && "RIFF".equals(new String(data, 0, 4, StandardCharsets.US_ASCII))
        && "WEBP".equals(new String(data, 8, 4, StandardCharsets.US_ASCII))) {
      return WEBP;
    }
    return null;
  }

  private static boolean startsWith(byte[] data, int... prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((data[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
