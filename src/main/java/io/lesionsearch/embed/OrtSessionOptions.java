package io.lesionsearch.embed;

import ai.djl.engine.Engine;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime session options that DJL's string options cannot express, made through the class
 * loader that loaded DJL's ONNX Runtime engine: on a cluster DJL and onnxruntime come from Flink's
 * lib/ (parent-first {@code ai.djl.}), and the job jar's own copy of onnxruntime's classes would be
 * other classes that DJL cannot take. ONNX Runtime copies the options into the session, so they are
 * closed as soon as it exists.
 */
final class OrtSessionOptions implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OrtSessionOptions.class);

  /**
   * Intra-op threads that spin while they wait for work take the cores that decoding needs: on 2
   * shared cores ViT-S/16 ran faster without spinning (README, "Encoder, batching, threads and
   * GPUs").
   */
  static final Map<String, String> CONFIG = Map.of("session.intra_op.allow_spinning", "0");

  private final AutoCloseable options;

  private OrtSessionOptions(AutoCloseable options) {
    this.options = options;
  }

  /** New {@code ai.onnxruntime.OrtSession.SessionOptions} with {@link #CONFIG}. */
  static OrtSessionOptions create() throws ReflectiveOperationException {
    ClassLoader loader =
        Engine.getEngine(ModelEngine.ONNX_RUNTIME.djlName()).getClass().getClassLoader();
    Class<?> type = Class.forName("ai.onnxruntime.OrtSession$SessionOptions", true, loader);
    OrtSessionOptions created =
        new OrtSessionOptions((AutoCloseable) type.getConstructor().newInstance());
    try {
      for (Map.Entry<String, String> e : CONFIG.entrySet()) {
        type.getMethod("addConfigEntry", String.class, String.class)
            .invoke(created.options, e.getKey(), e.getValue());
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      created.close();
      throw e;
    }
    return created;
  }

  /** The {@code SessionOptions} object, for DJL's load option {@code sessionOptions}. */
  Object options() {
    return options;
  }

  @Override
  public void close() {
    try {
      options.close();
    } catch (Exception e) {
      LOG.warn("Could not close ONNX Runtime session options", e);
    }
  }
}
