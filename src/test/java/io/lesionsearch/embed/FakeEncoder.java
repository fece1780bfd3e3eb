package io.lesionsearch.embed;

import ai.djl.Device;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A model without weights for tests of the stage's drivers: an image's vector is its input tensor,
 * so a test can tell which image a vector belongs to, and every batch's size is recorded.
 */
public final class FakeEncoder implements Encoder {

  /** 8x8 inputs: the real preparation runs on real images, and its tensors stay small. */
  public static final ModelManifest MANIFEST =
      new ModelManifest(
          ModelManifest.FORMAT,
          "fake/identity",
          "model.pt",
          Map.of("height", 8, "width", 8),
          1.0 / 255.0,
          List.of(0.5, 0.5, 0.5),
          List.of(0.5, 0.5, 0.5),
          "bilinear",
          3 * 8 * 8,
          "mean",
          "float32");

  /** The sizes of the batches every encoder made by one factory embedded, in order. */
  public static final class Batches implements Serializable {
    private final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    private boolean closed;

    public List<Integer> sizes() {
      return List.copyOf(sizes);
    }

    public boolean closed() {
      return closed;
    }

    public Encoder.Factory factory() {
      return devices -> new FakeEncoder(this);
    }
  }

  private final Batches batches;

  public FakeEncoder(Batches batches) {
    this.batches = batches;
  }

  @Override
  public ModelManifest manifest() {
    return MANIFEST;
  }

  @Override
  public Device device() {
    return Device.cpu();
  }

  @Override
  public List<float[]> embed(List<float[]> pixelBatch) {
    batches.sizes.add(pixelBatch.size());
    return pixelBatch.stream().map(float[]::clone).toList();
  }

  @Override
  public void close() {
    batches.closed = true;
  }
}
