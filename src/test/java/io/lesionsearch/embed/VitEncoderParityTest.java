package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.lesionsearch.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole Java path (decode, Pillow-exact resize, normalise, DJL/PyTorch 2.5.1) against the same
 * shipped TorchScript file run by PyTorch on Pillow's preprocessing (jobs/model/make_reference.py).
 */
class VitEncoderParityTest {

  @Test
  void float32EmbeddingsMatchPyTorchWithin1e4() throws Exception {
    Comparison c = compare("vit-s16-d1/fp32");
    assertTrue(c.maxAbsDiff <= 1e-4f, "max abs difference " + c.maxAbsDiff);
  }

  @Test
  void bfloat16EmbeddingsMatchPyTorchWithCosineAtLeast0999() throws Exception {
    Comparison c = compare("vit-s16-d1/bf16");
    assertTrue(c.minCosine >= 0.999, "min cosine " + c.minCosine);
  }

  @Test
  void bfloat16StaysCloseToFloat32OfTheSameWeights() throws Exception {
    JsonNode fp32 = TestData.json("reference/model/vit-s16-d1/fp32.json");
    try (VitEncoder bf16 = VitEncoder.open(TestData.model("vit-s16-d1/bf16"), Device.cpu())) {
      List<float[]> ours = embedImages(bf16, fp32.get("inputs"));
      for (int i = 0; i < ours.size(); i++) {
        double cos = TestData.cosine(ours.get(i), floats(fp32.get("embeddings").get(i)));
        assertTrue(cos >= 0.99, "bf16 vs fp32 cosine " + cos);
      }
    }
  }

  @Test
  void aBatchOfOneGivesTheSameVectorAsInsideABatch() throws Exception {
    JsonNode ref = TestData.json("reference/model/vit-s16-d1/fp32.json");
    try (VitEncoder encoder = VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu())) {
      float[] pixels =
          new VitPreprocessor(encoder.manifest())
              .preprocess(TestData.imageBytes(ref.get("single_input").asText()));
      float[] single = encoder.embed(List.of(pixels)).get(0);
      assertTrue(TestData.maxAbsDiff(single, floats(ref.get("single"))) <= 1e-4f);
      assertTrue(TestData.maxAbsDiff(single, floats(ref.get("embeddings").get(0))) <= 1e-4f);
    }
  }

  private record Comparison(float maxAbsDiff, double minCosine) {}

  private static Comparison compare(String model) throws Exception {
    JsonNode ref = TestData.json("reference/model/" + model + ".json");
    try (VitEncoder encoder = VitEncoder.open(TestData.model(model), Device.cpu())) {
      assertEquals(ref.get("model_id").asText(), encoder.manifest().modelId());
      List<float[]> ours = embedImages(encoder, ref.get("inputs"));
      float maxDiff = 0;
      double minCos = 1;
      for (int i = 0; i < ours.size(); i++) {
        float[] expected = floats(ref.get("embeddings").get(i));
        assertEquals(384, ours.get(i).length);
        maxDiff = Math.max(maxDiff, TestData.maxAbsDiff(ours.get(i), expected));
        minCos = Math.min(minCos, TestData.cosine(ours.get(i), expected));
      }
      return new Comparison(maxDiff, minCos);
    }
  }

  private static List<float[]> embedImages(VitEncoder encoder, JsonNode names) throws Exception {
    List<float[]> pixels = new ArrayList<>();
    for (JsonNode name : names) {
      pixels.add(
          new VitPreprocessor(encoder.manifest()).preprocess(TestData.imageBytes(name.asText())));
    }
    return encoder.embed(pixels);
  }

  static float[] floats(JsonNode array) {
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) array.get(i).asDouble();
    }
    return v;
  }
}
