package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import io.lesionsearch.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ONNX export of the test model under DJL's ONNX Runtime engine against the TorchScript export
 * of the same seed-42 weights under DJL's PyTorch engine, on the same real images through the same
 * Java preprocessing: the engine is a property of the model directory, and changing it must not
 * move the vectors.
 */
class OnnxRuntimeParityTest {

  private static final String ONNX = "vit-s16-d1/onnx-fp32";
  private static final String TORCHSCRIPT = "vit-s16-d1/fp32";

  @Test
  void onnxRuntimeEmbedsTheSameImagesAsPyTorchWithin1e4() throws Exception {
    JsonNode ref = TestData.json("reference/model/vit-s16-d1/fp32.json");
    List<float[]> onnx;
    List<float[]> torch;
    try (VitEncoder encoder = VitEncoder.open(TestData.model(ONNX), Device.cpu())) {
      assertEquals(ModelEngine.ONNX_RUNTIME, encoder.manifest().modelEngine());
      onnx = embedImages(encoder, ref.get("inputs"));
    }
    try (VitEncoder encoder = VitEncoder.open(TestData.model(TORCHSCRIPT), Device.cpu())) {
      torch = embedImages(encoder, ref.get("inputs"));
    }
    assertEquals(ref.get("inputs").size(), onnx.size());
    float maxDiff = 0;
    for (int i = 0; i < onnx.size(); i++) {
      assertEquals(384, onnx.get(i).length);
      maxDiff = Math.max(maxDiff, TestData.maxAbsDiff(onnx.get(i), torch.get(i)));
      float[] python = VitEncoderParityTest.floats(ref.get("embeddings").get(i));
      assertTrue(
          TestData.maxAbsDiff(onnx.get(i), python) <= 1e-4f,
          "ONNX Runtime vs the Python reference, image " + i);
    }
    assertTrue(maxDiff <= 1e-4f, "ONNX Runtime vs PyTorch max abs difference " + maxDiff);
  }

  @Test
  void aBatchOfOneGivesTheSameVectorAsInsideABatch() throws Exception {
    JsonNode ref = TestData.json("reference/model/vit-s16-d1/fp32.json");
    try (VitEncoder encoder = VitEncoder.open(TestData.model(ONNX), Device.cpu())) {
      float[] pixels =
          new VitPreprocessor(encoder.manifest())
              .preprocess(TestData.imageBytes(ref.get("single_input").asText()));
      float[] single = encoder.embed(List.of(pixels)).get(0);
      List<float[]> batch = embedImages(encoder, ref.get("inputs"));
      assertTrue(TestData.maxAbsDiff(single, batch.get(0)) <= 1e-5f);
      assertTrue(
          TestData.maxAbsDiff(single, VitEncoderParityTest.floats(ref.get("single"))) <= 1e-4f);
    }
  }

  @Test
  void aGpuSlotRunsAnOnnxModelOnTheSharedCpuSession() throws Exception {
    // the GPU slot first: it must load the model on the CPU, not ask PyTorch for a CUDA device
    try (SharedModels.Lease gpu = SharedModels.acquire(TestData.model(ONNX), Device.gpu(0));
        SharedModels.Lease cpu = SharedModels.acquire(TestData.model(ONNX), Device.cpu())) {
      assertEquals(Device.cpu(), gpu.model().device());
      assertSame(cpu.model(), gpu.model(), "one CPU session for every slot");
    }
  }

  @Test
  void theModelRunsOnOnnxRuntimeFromTheJarsNativesWithDjlOffline() throws Exception {
    // surefire and DjlSettings set ai.djl.offline: a native DJL had to download would fail here
    assertEquals("true", System.getProperty("ai.djl.offline"));
    try (SharedModels.Lease lease = SharedModels.acquire(TestData.model(ONNX), Device.cpu())) {
      Engine engine = lease.model().model().getNDManager().getEngine();
      assertEquals("OnnxRuntime", engine.getEngineName());
      assertEquals("1.20.0", engine.getVersion(), "the onnxruntime jar DJL 0.32.0 was built with");
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
}
