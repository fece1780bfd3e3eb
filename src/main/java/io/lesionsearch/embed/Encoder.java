package io.lesionsearch.embed;

import ai.djl.Device;
import ai.djl.translate.TranslateException;
import java.io.Serializable;
import java.util.List;

/**
 * The model of an embedding stage, as DJL's Criteria loads it: ready tensors in, one vector each
 * out. Not thread-safe; one driver thread calls {@link #embed}. Tests stand in a fake that needs no
 * weights.
 */
public interface Encoder extends AutoCloseable {

  /** What the model expects and returns; the per-item preparation is built from it. */
  ModelManifest manifest();

  Device device();

  /** One forward pass; one vector per input, in order. */
  List<float[]> embed(List<float[]> pixelBatch) throws TranslateException;

  @Override
  void close();

  /**
   * How a Flink operator opens its encoder on a TaskManager, from the devices Flink gave its slot.
   */
  @FunctionalInterface
  interface Factory extends Serializable {
    Encoder open(List<Device> candidates) throws ModelLoadException;
  }
}
