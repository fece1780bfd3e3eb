package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OrtSession;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ONNX Runtime takes its threads by libtorch's rule and option, so an engine swap keeps cores. */
class EngineOptionsTest {

  @Test
  void onnxRuntimeIntraOpThreadsFollowPyTorchsOptionAndInterOpIsOne() {
    String before = System.getProperty("ai.djl.pytorch.num_threads");
    try {
      System.setProperty("ai.djl.pytorch.num_threads", "3");
      Map<String, String> ort = SharedModels.engineOptions(ModelEngine.ONNX_RUNTIME);
      assertEquals("3", ort.get("intraOpNumThreads"));
      assertEquals("1", ort.get("interOpNumThreads"));
      System.clearProperty("ai.djl.pytorch.num_threads");
      assertEquals(
          Integer.toString(Runtime.getRuntime().availableProcessors()),
          SharedModels.engineOptions(ModelEngine.ONNX_RUNTIME).get("intraOpNumThreads"),
          "one per core unless set, as for libtorch");
    } finally {
      if (before == null) {
        System.clearProperty("ai.djl.pytorch.num_threads");
      } else {
        System.setProperty("ai.djl.pytorch.num_threads", before);
      }
    }
  }

  @Test
  void onnxRuntimeSessionOptionsTurnIntraOpSpinningOff() throws Exception {
    try (OrtSessionOptions options = OrtSessionOptions.create()) {
      OrtSession.SessionOptions made = (OrtSession.SessionOptions) options.options();
      assertEquals("0", made.getConfigEntries().get("session.intra_op.allow_spinning"));
    }
  }

  @Test
  void pyTorchKeepsItsOptions() {
    assertEquals(Map.of("mapLocation", "true"), SharedModels.engineOptions(ModelEngine.PYTORCH));
  }
}
