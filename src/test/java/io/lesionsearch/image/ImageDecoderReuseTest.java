package io.lesionsearch.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.testing.HostileImages;
import io.lesionsearch.testing.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The decoder keeps one ImageIO reader per format and thread, and reads colour JPEGs into RGB order
 * rather than the JDK's BGR image: neither may change a sample.
 */
class ImageDecoderReuseTest {

  private static final List<String> SHIPPED =
      List.of(
          "lesion-444.jpg",
          "lesion-600x450.jpg",
          "lesion-cmyk.jpg",
          "lesion-grey.jpg",
          "lesion-grey.png",
          "lesion-grey16.png",
          "lesion-la.png",
          "lesion-palette.png",
          "lesion-progressive.jpg",
          "lesion-rgb.png",
          "lesion-rgb16.png",
          "lesion-rgba.png",
          "lesion-small-150x100.png",
          "lesion-tall-200x500.jpg");

  private final ImageDecoder decoder = new ImageDecoder();

  @Test
  void shippedImagesInAnyOrderDecodeAsWithAFreshReader() throws Exception {
    List<String> order = new ArrayList<>(SHIPPED);
    order.addAll(SHIPPED);
    Collections.shuffle(order, new Random(16));
    for (String name : order) {
      byte[] bytes = TestData.imageBytes(name);
      assertArrayEquals(onFreshThread(bytes), decoder.decode(bytes).toPackedRgb(), name);
    }
  }

  @Test
  void aFailedDecodeLeavesTheNextOneRight() throws Exception {
    byte[] good = TestData.imageBytes("lesion-600x450.jpg");
    byte[] expected = onFreshThread(good);
    for (String broken : List.of("lesion-600x450.jpg", "lesion-rgb.png")) {
      assertThrows(
          ImageDecodeException.class, () -> decoder.decode(HostileImages.truncated(broken)));
      assertArrayEquals(expected, decoder.decode(good).toPackedRgb());
    }
  }

  @Test
  void colourJpegsComeOutPackedRgb() throws Exception {
    RgbImage rgb = decoder.decode(TestData.imageBytes("lesion-600x450.jpg"));
    assertEquals(3, rgb.pixelStride());
    assertEquals(0, rgb.red());
  }

  @Property(tries = 60)
  void rgbOrderReadEqualsTheJdksBgrImage(
      @ForAll @IntRange(min = 1, max = 400) int width,
      @ForAll @IntRange(min = 1, max = 400) int height,
      @ForAll @FloatRange(min = 0.3f, max = 1.0f) float quality,
      @ForAll long seed)
      throws Exception {
    byte[] jpeg = SyntheticLesionImages.jpeg(seed, width, height, quality);
    RgbImage viaJdkImage = ImageDecoder.toRgb(ImageIO.read(new ByteArrayInputStream(jpeg)));
    assertEquals(2, viaJdkImage.red(), "the JDK's own image is BGR");
    assertArrayEquals(viaJdkImage.toPackedRgb(), decoder.decode(jpeg).toPackedRgb());
  }

  /** The decode on a thread of its own, so with a reader that has decoded nothing before. */
  private static byte[] onFreshThread(byte[] bytes) throws Exception {
    AtomicReference<Object> result = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.set(new ImageDecoder().decode(bytes).toPackedRgb());
              } catch (ImageDecodeException | RuntimeException e) {
                result.set(e);
              }
            });
    t.start();
    t.join();
    if (result.get() instanceof Exception e) {
      throw new IOException("the fresh decode failed", e);
    }
    return (byte[]) result.get();
  }
}
