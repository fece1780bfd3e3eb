package io.lesionsearch.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ThumbnailsTest {

  @Test
  void theLongestSideBecomesTheSizeAndTheAspectIsKept() {
    assertArrayEquals(new int[] {128, 96}, Thumbnails.size(600, 450, 128));
    assertArrayEquals(new int[] {51, 128}, Thumbnails.size(200, 500, 128));
    assertArrayEquals(new int[] {1, 128}, Thumbnails.size(1, 5000, 128), "never below one pixel");
    assertArrayEquals(
        new int[] {100, 60}, Thumbnails.size(100, 60, 128), "small images are not enlarged");
    assertThrows(IllegalArgumentException.class, () -> Thumbnails.size(10, 10, 0));
  }

  @Test
  void theJpegDecodesToThatSizeAndLooksLikeTheImage() throws Exception {
    RgbImage image = new ImageDecoder().decode(TestData.imageBytes("lesion-600x450.jpg"));
    String base64 = Thumbnails.base64Jpeg(image, 128);
    byte[] jpeg = Base64.getDecoder().decode(base64);
    assertTrue(jpeg.length < 12_000, "a preview stays small: " + jpeg.length + " bytes");
    BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(jpeg));
    assertEquals(128, thumb.getWidth());
    assertEquals(96, thumb.getHeight());
    // The centre's colour survives the shrink (JPEG loses a little; an unrelated image would be far
    // off).
    int[] expected = mean(image.toPackedRgb(), 600, 300, 225, 30);
    int[] actual = mean(new ImageDecoder().decode(jpeg).toPackedRgb(), 128, 64, 48, 6);
    for (int c = 0; c < 3; c++) {
      assertTrue(
          Math.abs(expected[c] - actual[c]) <= 12,
          "channel " + c + ": " + expected[c] + " vs " + actual[c]);
    }
  }

  private static int[] mean(byte[] rgb, int width, int cx, int cy, int radius) {
    long[] sum = new long[3];
    int n = 0;
    for (int y = cy - radius; y < cy + radius; y++) {
      for (int x = cx - radius; x < cx + radius; x++) {
        for (int c = 0; c < 3; c++) {
          sum[c] += rgb[(y * width + x) * 3 + c] & 0xFF;
        }
        n++;
      }
    }
    return new int[] {(int) (sum[0] / n), (int) (sum[1] / n), (int) (sum[2] / n)};
  }
}
