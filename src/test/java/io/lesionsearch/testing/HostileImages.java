package io.lesionsearch.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * Images made to hurt a decoder: headers that claim huge sizes, cut-off files, formats we refuse.
 */
public final class HostileImages {
  private HostileImages() {}

  /** A well-formed PNG signature and IHDR (with a valid CRC) followed by a tiny IDAT and IEND. */
  public static byte[] pngHeaderOnly(int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    chunk(
        out,
        "IHDR",
        ByteBuffer.allocate(13)
            .putInt(width)
            .putInt(height)
            .put((byte) 8)
            .put((byte) 2)
            .put((byte) 0)
            .put((byte) 0)
            .put((byte) 0)
            .array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  /** A real JPEG whose frame header claims {@code width x height}. */
  public static byte[] jpegClaiming(int width, int height) {
    byte[] jpeg = TestData.imageBytes("lesion-600x450.jpg").clone();
    int sof = indexOfMarker(jpeg, 0xC0);
    ByteBuffer.wrap(jpeg, sof + 5, 4).putShort((short) height).putShort((short) width);
    return jpeg;
  }

  /** A real, all-black PNG: a few KB that decode to {@code width x height} pixels. */
  public static byte[] decompressionBombPng(int width, int height) {
    return encode(new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR), "png");
  }

  public static byte[] gif() {
    return encode(new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR), "gif");
  }

  public static byte[] truncated(String testImage) {
    byte[] bytes = TestData.imageBytes(testImage);
    return Arrays.copyOf(bytes, bytes.length / 2);
  }

  private static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static int indexOfMarker(byte[] jpeg, int marker) {
    for (int i = 2; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == marker) {
        return i;
      }
    }
    throw new AssertionError("no marker " + Integer.toHexString(marker));
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
