package io.lesionsearch.embed;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An export directory ({@code jobs/model/export_model.py --out DIR}): one model in several variants
 * ({@code fp32}, {@code bf16}, {@code onnx-fp32}, opt-in {@code onnx-int8}), each a model directory
 * of its own. Given one as {@code --model}, every TaskManager runs the variant that is fastest on
 * its own device within the parity bounds, so the same job is right on a GPU, on a CPU with bf16
 * instructions and on one without (where bf16 is emulated and 40 times slower than fp32). All
 * variants hold the same model id, so their vectors share a collection. int8 is never chosen: it
 * changes the vectors more than the parity bounds allow, and a user asks for it by its directory.
 */
public final class ModelVariants {

  private static final Logger LOG = LoggerFactory.getLogger(ModelVariants.class);

  static final String FP32 = "fp32";
  static final String BF16 = "bf16";
  static final String ONNX_FP32 = "onnx-fp32";

  /**
   * The variants a device may run, fastest first. ONNX Runtime is CPU-only here: a GPU slot given
   * only onnx-fp32 runs it on the CPU, with SharedModels' warning, as it would from its directory.
   */
  private static final List<String> ON_GPU = List.of(FP32, BF16, ONNX_FP32);

  private static final List<String> ON_BF16_CPU = List.of(BF16, ONNX_FP32, FP32);
  private static final List<String> ON_OTHER_CPU = List.of(ONNX_FP32, FP32, BF16);

  private ModelVariants() {}

  /** Whether {@code dir} is a model directory itself (holds manifest.json). */
  static boolean isModel(Path dir) {
    return Files.isRegularFile(dir.resolve(ModelManifest.FILE_NAME));
  }

  /**
   * {@code dir} itself when it is a model directory; else the variant of the export directory
   * {@code dir} to run on {@code device} here.
   */
  public static Path forDevice(Path dir, Device device) throws ModelLoadException {
    if (isModel(dir) || !Files.isDirectory(dir)) {
      return dir;
    }
    CpuFeatures cpu = CpuFeatures.current();
    Set<String> present = present(dir);
    String chosen =
        choose(present, device.isGpu(), cpu)
            .orElseThrow(() -> new ModelLoadException(dir, notAModel()));
    LOG.info(
        "Model {}: running variant {} of {} on {} ({})",
        dir,
        chosen,
        present.stream().sorted().toList(),
        device,
        device.isGpu() ? "a GPU runs fp32 TorchScript" : "CPU: " + cpu.bf16Description());
    return dir.resolve(chosen);
  }

  /** The first of the device's preferences that the export directory holds. */
  static Optional<String> choose(Set<String> present, boolean gpu, CpuFeatures cpu) {
    List<String> order = gpu ? ON_GPU : cpu.nativeBf16() ? ON_BF16_CPU : ON_OTHER_CPU;
    return order.stream().filter(present::contains).findFirst();
  }

  /**
   * The manifest of a model directory, or the one every variant of an export directory shares: what
   * the job builds its graph from before any TaskManager has chosen a variant.
   */
  public static ModelManifest manifest(Path dir) throws ModelLoadException {
    if (isModel(dir) || !Files.isDirectory(dir)) {
      return ModelManifest.read(dir);
    }
    List<String> names = present(dir).stream().sorted().toList();
    if (names.isEmpty()) {
      throw new ModelLoadException(dir, notAModel());
    }
    ModelManifest first = ModelManifest.read(dir.resolve(names.get(0)));
    for (String name : names.subList(1, names.size())) {
      ModelManifest other = ModelManifest.read(dir.resolve(name));
      if (!sameModel(first, other)) {
        throw new ModelLoadException(
            dir,
            "variants "
                + names.get(0)
                + " and "
                + name
                + " are not the same model (model_id, image preprocessing or embedding_size"
                + " differ); an export directory holds one model's variants");
      }
    }
    return first;
  }

  private static boolean sameModel(ModelManifest a, ModelManifest b) {
    return Objects.equals(identity(a), identity(b));
  }

  private static List<Object> identity(ModelManifest m) {
    List<Object> fields = new ArrayList<>();
    fields.add(m.modelId());
    fields.add(m.imageSize() == null ? Map.of() : m.imageSize());
    fields.add(m.rescaleFactor());
    fields.add(m.imageMean());
    fields.add(m.imageStd());
    fields.add(m.resample());
    fields.add(m.embeddingSize());
    fields.add(m.pooling());
    return fields;
  }

  private static Set<String> present(Path dir) {
    return List.of(FP32, BF16, ONNX_FP32).stream()
        .filter(name -> isModel(dir.resolve(name)))
        .collect(Collectors.toSet());
  }

  private static String notAModel() {
    return "neither a model directory (no "
        + ModelManifest.FILE_NAME
        + ") nor an export directory holding "
        + FP32
        + "/, "
        + BF16
        + "/ or "
        + ONNX_FP32
        + "/ (onnx-int8 is opt-in: give its directory itself)";
  }
}
