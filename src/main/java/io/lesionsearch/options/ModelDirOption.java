package io.lesionsearch.options;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The model directory of the tools that load a model at once (a picocli mixin). The jobs declare
 * their own --model: it may come from --config, so picocli cannot require it.
 */
public final class ModelDirOption {

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description =
          "Model directory (manifest.json + model.pt or model.onnx),"
              + " or an export directory (export_model.py --out) whose fastest variant on the device runs.")
  public Path model;
}
