package io.lesionsearch.embed;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The DJL engine that runs a model directory's graph, named by the manifest's {@code engine} field:
 * which file the manifest must name, with which extension, and which compute dtypes the engine
 * runs. A manifest without {@code engine} is PyTorch, as every model directory was before ONNX
 * Runtime.
 */
public enum ModelEngine {
  /** TorchScript on libtorch: CPU and CUDA; fp32 and bf16 (casts inside the graph). */
  PYTORCH("PyTorch", "torchscript", ".pt"),
  /** ONNX on ONNX Runtime's CPU execution provider; fp32 and dynamically quantised int8. */
  ONNX_RUNTIME("OnnxRuntime", "onnx", ".onnx");

  private final String djlName;
  private final String fileField;
  private final String extension;

  ModelEngine(String djlName, String fileField, String extension) {
    this.djlName = djlName;
    this.fileField = fileField;
    this.extension = extension;
  }

  /** The engine's name in DJL ({@code Criteria.optEngine}) and in the manifest. */
  public String djlName() {
    return djlName;
  }

  /** The manifest field that names the graph file for this engine. */
  String fileField() {
    return fileField;
  }

  String extension() {
    return extension;
  }

  /** The compute dtypes this engine runs, sorted. */
  List<String> dtypes() {
    return this == PYTORCH ? List.of("bfloat16", "float32") : List.of("float32", "int8");
  }

  /** Whether this engine can run on a GPU in this build (ONNX Runtime's jar is CPU-only). */
  public boolean runsOnGpu() {
    return this == PYTORCH;
  }

  static Optional<ModelEngine> byName(String name) {
    return Arrays.stream(values()).filter(e -> e.djlName.equals(name)).findFirst();
  }

  static List<String> names() {
    return Arrays.stream(values()).map(ModelEngine::djlName).toList();
  }
}
