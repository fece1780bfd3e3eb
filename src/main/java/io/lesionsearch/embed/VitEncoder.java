package io.lesionsearch.embed;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import java.nio.file.Path;
import java.util.List;

/**
 * The per-thread handle on a shared model: a DJL Predictor is not thread-safe, so each Flink slot
 * or worker thread opens its own encoder while the weights stay shared through {@link
 * SharedModels}.
 */
public final class VitEncoder implements Encoder {

  private final SharedModels.Lease lease;
  private final Predictor<float[], float[]> predictor;

  private VitEncoder(SharedModels.Lease lease) {
    this.lease = lease;
    this.predictor = lease.model().newPredictor();
  }

  public static VitEncoder open(Path modelDir, Device device) throws ModelLoadException {
    return open(modelDir, List.of(device));
  }

  /** Opens on the least-used of {@code devices} (see {@link SharedModels#acquireLeastUsed}). */
  public static VitEncoder open(Path modelDir, List<Device> devices) throws ModelLoadException {
    SharedModels.Lease lease = SharedModels.acquireLeastUsed(modelDir, devices);
    try {
      return new VitEncoder(lease);
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  /** Opens the model of {@code modelDir} on the least-used of the devices Flink gave a slot. */
  public static Encoder.Factory factory(String modelDir) {
    return devices -> open(Path.of(modelDir), devices);
  }

  @Override
  public ModelManifest manifest() {
    return lease.model().manifest();
  }

  /** The model directory loaded: the chosen variant's when it was opened on an export directory. */
  public Path directory() {
    return lease.model().directory();
  }

  @Override
  public Device device() {
    return lease.model().device();
  }

  @Override
  public List<float[]> embed(List<float[]> pixelBatch) throws TranslateException {
    if (pixelBatch.isEmpty()) {
      return List.of();
    }
    return predictor.batchPredict(pixelBatch);
  }

  @Override
  public void close() {
    try {
      predictor.close();
    } finally {
      lease.close();
    }
  }
}
