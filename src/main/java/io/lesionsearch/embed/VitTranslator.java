package io.lesionsearch.embed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

/**
 * One preprocessed image in, one pooled embedding out; DJL stacks a batch along a new first axis.
 * Inputs and outputs stay float32 even for bf16 models, whose casts live inside the graph because
 * DJL's JNI cannot create bf16 arrays.
 */
final class VitTranslator implements Translator<float[], float[]> {

  private final Shape inputShape;
  private final int embeddingSize;

  VitTranslator(ModelManifest manifest) {
    this.inputShape = new Shape(3, manifest.height(), manifest.width());
    this.embeddingSize = manifest.embeddingSize();
  }

  @Override
  public NDList processInput(TranslatorContext ctx, float[] pixels) {
    if (pixels.length != inputShape.size()) {
      throw new IllegalArgumentException(
          "expected a "
              + inputShape
              + " tensor ("
              + inputShape.size()
              + " floats), got "
              + pixels.length);
    }
    return new NDList(ctx.getNDManager().create(pixels, inputShape));
  }

  @Override
  public float[] processOutput(TranslatorContext ctx, NDList list) {
    NDArray out = list.singletonOrThrow();
    if (out.getShape().dimension() != 1 || out.getShape().get(0) != embeddingSize) {
      throw new IllegalStateException(
          "the model returned "
              + out.getShape()
              + " per image, the manifest promises ("
              + embeddingSize
              + ")");
    }
    return out.getDataType() == DataType.FLOAT32
        ? out.toFloatArray()
        : out.toType(DataType.FLOAT32, false).toFloatArray();
  }

  @Override
  public Batchifier getBatchifier() {
    return Batchifier.STACK;
  }
}
