package io.lesionsearch.embed;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Path;

/** A model loaded on one device with its manifest; predictors are made per thread from it. */
public record LoadedModel(
    Path directory, Device device, ModelManifest manifest, ZooModel<float[], float[]> model) {
  public Predictor<float[], float[]> newPredictor() {
    return model.newPredictor();
  }
}
