package io.lesionsearch.embed;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model per (directory, device) per JVM, shared by reference count: every Flink slot of
 * a TaskManager that runs on the same device uses the same weights, and the last one to let go
 * frees them. Loading validates the manifest and runs one image through the graph to check its
 * output shape.
 */
public final class SharedModels {

  private static final Logger LOG = LoggerFactory.getLogger(SharedModels.class);
  private static final Map<Key, Entry> MODELS = new HashMap<>();

  static {
    DjlSettings.apply();
    if (!DjlSettings.mallocTuned()) {
      LOG.warn(
          "MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ are not set: CPU inference will page-fault"
              + " fresh memory on every batch (about 40% slower). jobs/lesion-search sets them; on a"
              + " cluster set them in the TaskManager environment (see flink-conf/config.yaml).");
    }
  }

  private SharedModels() {}

  private record Key(Path directory, Device device) {}

  private static final class Entry {
    final LoadedModel model;
    int references;

    Entry(LoadedModel model) {
      this.model = model;
    }
  }

  /** A counted reference to a shared model; closing it releases the reference. */
  public static final class Lease implements AutoCloseable {
    private final Key key;
    private final LoadedModel model;
    private boolean closed;

    private Lease(Key key, LoadedModel model) {
      this.key = key;
      this.model = model;
    }

    public LoadedModel model() {
      return model;
    }

    @Override
    public void close() {
      synchronized (MODELS) {
        if (closed) {
          return;
        }
        closed = true;
        Entry entry = MODELS.get(key);
        if (--entry.references == 0) {
          MODELS.remove(key);
          entry.model.model().close();
          LOG.info("Unloaded model {} from {}", key.directory, key.device);
        }
      }
    }
  }

  public static Lease acquire(Path directory, Device device) throws ModelLoadException {
    return acquireLeastUsed(directory, List.of(device));
  }

  /**
   * Acquires the model on whichever candidate device has the fewest leases in this JVM (the first
   * on a tie), choosing and acquiring under one lock so that slots opening together spread out.
   */
  public static Lease acquireLeastUsed(Path directory, List<Device> candidates)
      throws ModelLoadException {
    synchronized (MODELS) {
      Map<Device, Integer> users = new HashMap<>();
      MODELS.forEach((k, entry) -> users.merge(k.device, entry.references, Integer::sum));
      return acquireLocked(directory, leastUsed(candidates, users));
    }
  }

  static Device leastUsed(List<Device> candidates, Map<Device, Integer> users) {
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no device to run on");
    }
    Device best = candidates.get(0);
    for (Device d : candidates) {
      if (users.getOrDefault(d, 0) < users.getOrDefault(best, 0)) {
        best = d;
      }
    }
    return best;
  }

  /** Caller holds the MODELS lock. */
  private static Lease acquireLocked(Path directory, Device device) throws ModelLoadException {
    Path dir = ModelVariants.forDevice(directory.toAbsolutePath().normalize(), device);
    Key key = new Key(dir, device.isGpu() ? deviceFor(dir, device) : device);
    Entry entry = MODELS.get(key);
    if (entry == null) {
      entry = new Entry(load(key.directory, key.device));
      MODELS.put(key, entry);
    }
    entry.references++;
    return new Lease(key, entry.model);
  }

  /**
   * The device a GPU slot's model runs on: the GPU for PyTorch; the CPU for ONNX Runtime, whose jar
   * here has only the CPU execution provider, so that every slot shares the one CPU session.
   */
  private static Device deviceFor(Path dir, Device gpu) throws ModelLoadException {
    ModelManifest manifest = ModelManifest.read(requireDirectory(dir));
    if (manifest.modelEngine().runsOnGpu()) {
      return gpu;
    }
    LOG.warn(
        "Model {} runs on engine {}, which this build runs on the CPU only: running it on the CPU"
            + " and leaving {} unused. Use a TorchScript model directory (engine PyTorch) to"
            + " run on the GPU.",
        dir,
        manifest.modelEngine().djlName(),
        gpu);
    return Device.cpu();
  }

  private static Path requireDirectory(Path dir) throws ModelLoadException {
    if (!Files.isDirectory(dir)) {
      throw new ModelLoadException(
          dir, "not a directory (expected a model directory with manifest.json)");
    }
    return dir;
  }

  private static LoadedModel load(Path dir, Device device) throws ModelLoadException {
    ModelManifest manifest = ModelManifest.read(requireDirectory(dir));
    ModelEngine engine = manifest.modelEngine();
    Path file = dir.resolve(manifest.modelFile());
    try {
      SlotDevice.checkUsable(device);
    } catch (IllegalStateException e) {
      throw new ModelLoadException(dir, e.getMessage());
    }
    long start = System.nanoTime();
    ZooModel<float[], float[]> model;
    try {
      model = new ZooModel<>(loadGraph(dir, manifest, device), new VitTranslator(manifest));
    } catch (MalformedModelException
        | IOException
        | ReflectiveOperationException
        | RuntimeException e) {
      throw new ModelLoadException(
          file,
          "cannot load "
              + (engine == ModelEngine.PYTORCH ? "TorchScript" : "ONNX")
              + ": "
              + rootMessage(e),
          e);
    }
    LoadedModel loaded = new LoadedModel(dir, device, manifest, model);
    try (Predictor<float[], float[]> predictor = loaded.newPredictor()) {
      float[] zeros = new float[3 * manifest.height() * manifest.width()];
      predictor.batchPredict(List.of(zeros));
    } catch (TranslateException | RuntimeException e) {
      model.close();
      throw new ModelLoadException(
          file,
          "the model does not map a [1, 3, "
              + manifest.height()
              + ", "
              + manifest.width()
              + "] batch to [1, "
              + manifest.embeddingSize()
              + "]: "
              + rootMessage(e),
          e);
    }
    warnIfEmulatedBf16(dir, manifest, device);
    LOG.info(
        "Loaded model {} ({}, {}, {}) from {} on {} in {} ms",
        manifest.modelId(),
        engine.djlName(),
        manifest.computeDtype(),
        manifest.embeddingSize() + "-d",
        dir,
        device,
        (System.nanoTime() - start) / 1_000_000);
    return loaded;
  }

  /** A bf16 model on a CPU without bf16 instructions runs, but about 40 times slower than fp32. */
  private static void warnIfEmulatedBf16(Path dir, ModelManifest manifest, Device device) {
    CpuFeatures cpu = CpuFeatures.current();
    if (!device.isGpu() && "bfloat16".equals(manifest.computeDtype()) && !cpu.nativeBf16()) {
      LOG.warn(
          "Model {} computes in bf16, but this CPU has {}: libtorch emulates bf16 here, measured"
              + " 40 times slower than the fp32 model on an AMD EPYC (Zen 3). Use the fp32 or"
              + " onnx-fp32 variant, or give --model the export directory and each TaskManager"
              + " runs the variant that is fastest on it.",
          dir,
          cpu.bf16Description());
    }
  }

  /**
   * Loads the graph through DJL's engine API ({@code Criteria} takes only string options, and ONNX
   * Runtime's session options object is not one).
   */
  private static Model loadGraph(Path dir, ModelManifest manifest, Device device)
      throws IOException, MalformedModelException, ReflectiveOperationException {
    ModelEngine engine = manifest.modelEngine();
    Model model = Model.newInstance(manifest.modelName(), device, engine.djlName());
    Map<String, Object> options = new HashMap<>(engineOptions(engine));
    try {
      if (engine == ModelEngine.ONNX_RUNTIME) {
        try (OrtSessionOptions sessionOptions = OrtSessionOptions.create()) {
          options.put("sessionOptions", sessionOptions.options());
          model.load(dir, manifest.modelName(), options);
        }
      } else {
        model.load(dir, manifest.modelName(), options);
      }
    } catch (IOException
        | MalformedModelException
        | ReflectiveOperationException
        | RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  /**
   * DJL's load options per engine. ONNX Runtime: intra-op threads by libtorch's rule, one inter-op
   * thread (one batch at a time per predictor, as for libtorch), operators run in sequence.
   */
  static Map<String, String> engineOptions(ModelEngine engine) {
    if (engine == ModelEngine.ONNX_RUNTIME) {
      return Map.of(
          "intraOpNumThreads", Integer.toString(DjlSettings.intraOpThreads()),
          "interOpNumThreads", "1",
          "executionMode", "SEQUENTIAL");
    }
    return Map.of("mapLocation", "true");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }
}
