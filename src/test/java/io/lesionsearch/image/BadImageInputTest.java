package io.lesionsearch.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.image.ImageDecodeException.Reason;
import io.lesionsearch.testing.HostileImages;
import io.lesionsearch.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input ends in a typed error with a clear message, never a crash or a huge
 * allocation.
 */
class BadImageInputTest {

  private final ImageDecoder decoder = new ImageDecoder();

  @Test
  void zeroBytes() {
    ImageDecodeException e =
        assertThrows(ImageDecodeException.class, () -> decoder.decode(new byte[0]));
    assertEquals(Reason.EMPTY, e.reason());
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void textIsNotAnImage() {
    byte[] text = "{\"image_id\": \"ISIC_0024329\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        Reason.NOT_AN_IMAGE,
        assertThrows(ImageDecodeException.class, () -> decoder.decode(text)).reason());
  }

  @Test
  void gifAndBmpAreUnsupportedFormats() throws Exception {
    for (String format : new String[] {"gif", "bmp"}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR), format, out);
      ImageDecodeException e =
          assertThrows(ImageDecodeException.class, () -> decoder.decode(out.toByteArray()));
      assertEquals(Reason.UNSUPPORTED_FORMAT, e.reason());
      assertTrue(e.getMessage().contains("JPEG or PNG"), e.getMessage());
    }
  }

  @Test
  void truncatedJpegIsCorrupt() {
    byte[] jpeg = TestData.imageBytes("lesion-600x450.jpg");
    byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 2);
    ImageDecodeException e =
        assertThrows(ImageDecodeException.class, () -> decoder.decode(truncated));
    assertEquals(Reason.CORRUPT, e.reason());
    assertTrue(e.getMessage().startsWith("JPEG data is corrupt or truncated"), e.getMessage());
  }

  @Test
  void jpegCutInsideItsHeaderIsCorrupt() {
    byte[] truncated = Arrays.copyOf(TestData.imageBytes("lesion-600x450.jpg"), 40);
    assertEquals(
        Reason.CORRUPT,
        assertThrows(ImageDecodeException.class, () -> decoder.decode(truncated)).reason());
  }

  @Test
  void truncatedPngIsCorrupt() {
    byte[] png = TestData.imageBytes("lesion-rgb.png");
    byte[] truncated = Arrays.copyOf(png, png.length - png.length / 3);
    assertEquals(
        Reason.CORRUPT,
        assertThrows(ImageDecodeException.class, () -> decoder.decode(truncated)).reason());
  }

  @Test
  void garbageAfterAJpegSignatureIsCorrupt() {
    byte[] garbage = new byte[5000];
    new java.util.Random(7).nextBytes(garbage);
    garbage[0] = (byte) 0xFF;
    garbage[1] = (byte) 0xD8;
    garbage[2] = (byte) 0xFF;
    assertEquals(
        Reason.CORRUPT,
        assertThrows(ImageDecodeException.class, () -> decoder.decode(garbage)).reason());
  }

  @Test
  void pngHeaderClaiming30000x30000IsRefusedBeforeDecoding() {
    byte[] bomb = HostileImages.pngHeaderOnly(30_000, 30_000);
    long before = usedHeap();
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(bomb));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertTrue(e.getMessage().contains("30000x30000"), e.getMessage());
    // 30000 x 30000 RGB would be 2.7 GB; nothing close may have been allocated.
    assertTrue(usedHeap() - before < 256L << 20, "heap grew by " + (usedHeap() - before));
  }

  @Test
  void jpegFrameClaiming30000x30000IsRefused() {
    byte[] jpeg = HostileImages.jpegClaiming(30_000, 30_000);
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(jpeg));
    assertEquals(Reason.TOO_LARGE, e.reason());
  }

  @Test
  void limitIsConfigurable() throws Exception {
    byte[] jpeg = TestData.imageBytes("lesion-600x450.jpg");
    assertEquals(600, decoder.decode(jpeg).width());
    ImageDecodeException e =
        assertThrows(
            ImageDecodeException.class, () -> new ImageDecoder(600 * 450 - 1).decode(jpeg));
    assertEquals(Reason.TOO_LARGE, e.reason());
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
