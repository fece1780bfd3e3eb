package io.lesionsearch.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our decode + resize + normalise against Pillow 13 running ViTImageProcessor's steps on the
 * shipped images (references made by jobs/model/make_reference.py). Every colour mode and both
 * scaling directions are covered.
 */
class PillowParityTest {

  private static final JsonNode INDEX = TestData.json("reference/preprocess/index.json");
  private final VitPreprocessor preprocessor = new VitPreprocessor(ModelManifest.DINO_VITS16);
  private final ImageDecoder decoder = new ImageDecoder();

  static Stream<String> images() {
    return StreamSupport.stream(INDEX.get("images").spliterator(), false)
        .map(n -> n.get("image").asText());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void normalisedTensorMatchesPillowWithin1e5(String image) throws Exception {
    JsonNode entry = entry(image);
    RgbImage decoded = decoder.decode(TestData.imageBytes(image));
    assertEquals(entry.get("width").asInt(), decoded.width());
    assertEquals(entry.get("height").asInt(), decoded.height());

    byte[] ours = preprocessor.resize(decoded);
    byte[] pillow =
        decoder
            .decode(
                TestData.bytes(
                    TestData.resource("reference/preprocess/" + entry.get("resized").asText())))
            .toPackedRgb();
    int worstLevel = 0;
    for (int i = 0; i < ours.length; i++) {
      worstLevel = Math.max(worstLevel, Math.abs((ours[i] & 0xFF) - (pillow[i] & 0xFF)));
    }
    float diff = TestData.maxAbsDiff(preprocessor.normalise(ours), preprocessor.normalise(pillow));
    assertTrue(
        diff <= 1e-5f,
        image + ": max abs difference " + diff + " (" + worstLevel + " grey levels)");
  }

  @Test
  void normalisationArithmeticMatchesNumpyFloat32() throws Exception {
    JsonNode entry = entry("lesion-600x450.jpg");
    byte[] raw =
        TestData.bytes(TestData.resource("reference/preprocess/" + entry.get("pixels").asText()));
    float[] reference = new float[raw.length / 4];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(reference);

    float[] ours = preprocessor.preprocess(TestData.imageBytes("lesion-600x450.jpg"));
    assertEquals(3 * 224 * 224, ours.length);
    // Same float32 operations in the same order as numpy: expect identical bits, allow 1e-6.
    assertTrue(TestData.maxAbsDiff(ours, reference) <= 1e-6f);
  }

  @Test
  void resizeToTheSameSizeIsACopy() {
    byte[] rgb = new byte[224 * 224 * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 31);
    }
    assertArrayEquals(
        rgb, new PillowBilinearResizer(224, 224).resize(RgbImage.packed(224, 224, rgb)));
  }

  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"600, 450", "224, 300", "300, 224", "100, 80"})
  void aStridedBgrViewResizesLikeThePackedPixels(int width, int height) {
    byte[] rgb = new byte[width * height * 3];
    new java.util.Random(width * 31L + height).nextBytes(rgb);
    // Same pixels as 4-byte BGRx with two bytes of padding per row, as some decoders hand them out.
    int lineStride = width * 4 + 2;
    byte[] bgrx = new byte[height * lineStride + 5];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = 5 + y * lineStride + x * 4;
        int q = (y * width + x) * 3;
        bgrx[p] = rgb[q + 2];
        bgrx[p + 1] = rgb[q + 1];
        bgrx[p + 2] = rgb[q];
      }
    }
    RgbImage view = new RgbImage(width, height, bgrx, 5, 4, lineStride, 2, 1, 0);
    assertArrayEquals(rgb, view.toPackedRgb());
    PillowBilinearResizer resizer = new PillowBilinearResizer(224, 224);
    assertArrayEquals(resizer.resize(RgbImage.packed(width, height, rgb)), resizer.resize(view));
  }

  private static JsonNode entry(String image) {
    for (JsonNode n : INDEX.get("images")) {
      if (n.get("image").asText().equals(image)) {
        return n;
      }
    }
    throw new IllegalArgumentException(image);
  }
}
