package io.lesionsearch.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The restructured resizer (coefficients kept between images, normalisation on its last pass) must
 * give exactly the samples of the one that matched Pillow, for any sizes and layouts.
 */
class PillowBilinearResizerTest {

  @Property(tries = 300)
  void resizeEqualsTheReference(
      @ForAll @IntRange(min = 1, max = 640) int inWidth,
      @ForAll @IntRange(min = 1, max = 640) int inHeight,
      @ForAll @IntRange(min = 1, max = 300) int outWidth,
      @ForAll @IntRange(min = 1, max = 300) int outHeight,
      @ForAll boolean strided,
      @ForAll long seed) {
    RgbImage in = image(inWidth, inHeight, strided, seed);
    assertArrayEquals(
        new ReferenceResizer(outWidth, outHeight).resize(in),
        new PillowBilinearResizer(outWidth, outHeight).resize(in));
  }

  /**
   * Pillow 13 resizes these vertically first: the height loses more than twice the width's loss.
   */
  @Property(tries = 100)
  void tallImagesInPillow13sOrderEqualTheReference(
      @ForAll @IntRange(min = 100, max = 300) int inWidth,
      @ForAll @IntRange(min = 400, max = 700) int inHeight,
      @ForAll @IntRange(min = 0, max = 60) int widthLoss,
      @ForAll boolean strided,
      @ForAll long seed) {
    RgbImage in = image(inWidth, inHeight, strided, seed);
    PillowBilinearResizer resizer = new PillowBilinearResizer(inWidth - widthLoss, 224);
    ReferenceResizer reference = new ReferenceResizer(inWidth - widthLoss, 224);
    byte[] expected = reference.resize(in);
    assertArrayEquals(expected, resizer.resize(in));
    float[] table = new float[3 * 256];
    for (int i = 0; i < table.length; i++) {
      table[i] = i * 0.5f;
    }
    float[] actual = new float[expected.length];
    resizer.resizeInto(in, table, actual);
    int plane = expected.length / 3;
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        assertEquals(table[c * 256 + (expected[i * 3 + c] & 0xFF)], actual[c * plane + i]);
      }
    }
  }

  @Property(tries = 100)
  void sameSizeInEitherDirectionEqualsTheReference(
      @ForAll @IntRange(min = 1, max = 300) int size,
      @ForAll @IntRange(min = 1, max = 300) int other,
      @ForAll boolean keepWidth,
      @ForAll long seed) {
    RgbImage in = image(keepWidth ? size : other, keepWidth ? other : size, true, seed);
    int outWidth = keepWidth ? size : Math.max(1, other / 2);
    int outHeight = keepWidth ? Math.max(1, other / 3) : size;
    assertArrayEquals(
        new ReferenceResizer(outWidth, outHeight).resize(in),
        new PillowBilinearResizer(outWidth, outHeight).resize(in));
  }

  @Property(tries = 100)
  void oneResizerOverImagesOfChangingSizesEqualsTheReference(
      @ForAll @IntRange(min = 1, max = 400) int width1,
      @ForAll @IntRange(min = 1, max = 400) int height1,
      @ForAll @IntRange(min = 1, max = 400) int width2,
      @ForAll @IntRange(min = 1, max = 400) int height2,
      @ForAll long seed) {
    PillowBilinearResizer resizer = new PillowBilinearResizer(224, 224);
    ReferenceResizer reference = new ReferenceResizer(224, 224);
    RgbImage first = image(width1, height1, false, seed);
    RgbImage second = image(width2, height2, true, seed + 1);
    for (RgbImage in : new RgbImage[] {first, second, first, second}) {
      assertArrayEquals(reference.resize(in), resizer.resize(in));
    }
  }

  @Property(tries = 200)
  void resizeIntoIsTheResizeMappedThroughTheTableChannelsFirst(
      @ForAll @IntRange(min = 1, max = 500) int inWidth,
      @ForAll @IntRange(min = 1, max = 500) int inHeight,
      @ForAll @IntRange(min = 1, max = 256) int outWidth,
      @ForAll @IntRange(min = 1, max = 256) int outHeight,
      @ForAll boolean strided,
      @ForAll long seed) {
    RgbImage in = image(inWidth, inHeight, strided, seed);
    float[] table = new float[3 * 256];
    Random random = new Random(seed);
    for (int i = 0; i < table.length; i++) {
      table[i] = random.nextFloat() * 4 - 2;
    }
    PillowBilinearResizer resizer = new PillowBilinearResizer(outWidth, outHeight);
    byte[] rgb = resizer.resize(in);
    int plane = outWidth * outHeight;
    float[] expected = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        expected[c * plane + i] = table[c * 256 + (rgb[i * 3 + c] & 0xFF)];
      }
    }
    float[] actual = new float[3 * plane];
    resizer.resizeInto(in, table, actual);
    assertArrayEquals(expected, actual);
  }

  /** Random pixels, packed RGB or as 4-byte BGRx rows with padding after an offset. */
  static RgbImage image(int width, int height, boolean strided, long seed) {
    Random random = new Random(seed);
    if (!strided) {
      byte[] rgb = new byte[width * height * 3];
      random.nextBytes(rgb);
      return RgbImage.packed(width, height, rgb);
    }
    int lineStride = width * 4 + 3;
    byte[] bgrx = new byte[7 + height * lineStride];
    random.nextBytes(bgrx);
    return new RgbImage(width, height, bgrx, 7, 4, lineStride, 2, 1, 0);
  }
}
