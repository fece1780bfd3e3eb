package io.lesionsearch.embed;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The manifest.json beside an exported model: which engine runs it and which file holds the graph
 * ({@code torchscript} for PyTorch, {@code onnx} for OnnxRuntime), what the graph expects
 * (ViTImageProcessor's settings) and what it returns. Written by jobs/model/*.py; every field is
 * checked on load so a mismatched model fails at start instead of producing silently wrong vectors.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
    @JsonProperty("format") String format,
    @JsonProperty("model_id") String modelId,
    @JsonProperty("engine") String engine,
    @JsonProperty("torchscript") String torchscript,
    @JsonProperty("onnx") String onnx,
    @JsonProperty("image_size") Map<String, Integer> imageSize,
    @JsonProperty("rescale_factor") Double rescaleFactor,
    @JsonProperty("image_mean") List<Double> imageMean,
    @JsonProperty("image_std") List<Double> imageStd,
    @JsonProperty("resample") String resample,
    @JsonProperty("embedding_size") Integer embeddingSize,
    @JsonProperty("pooling") String pooling,
    @JsonProperty("compute_dtype") String computeDtype)
    implements Serializable {

  public static final String FILE_NAME = "manifest.json";
  public static final String FORMAT = "lesion-search-model/1";
  private static final int QUOTED_MAX = 80;

  /** A TorchScript manifest (no {@code engine}, so PyTorch), as written before ONNX Runtime. */
  public ModelManifest(
      String format,
      String modelId,
      String torchscript,
      Map<String, Integer> imageSize,
      Double rescaleFactor,
      List<Double> imageMean,
      List<Double> imageStd,
      String resample,
      Integer embeddingSize,
      String pooling,
      String computeDtype) {
    this(
        format,
        modelId,
        null,
        torchscript,
        null,
        imageSize,
        rescaleFactor,
        imageMean,
        imageStd,
        resample,
        embeddingSize,
        pooling,
        computeDtype);
  }

  /**
   * ViTImageProcessor's settings for facebook/dino-vits16, for commands that preprocess without a
   * model.
   */
  public static final ModelManifest DINO_VITS16 =
      new ModelManifest(
          FORMAT,
          "facebook/dino-vits16",
          "model.pt",
          Map.of("height", 224, "width", 224),
          1.0 / 255.0,
          List.of(0.485, 0.456, 0.406),
          List.of(0.229, 0.224, 0.225),
          "bilinear",
          384,
          "mean",
          "float32");

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Reads and validates {@code dir/manifest.json}. */
  public static ModelManifest read(Path dir) throws ModelLoadException {
    Path file = dir.resolve(FILE_NAME);
    ModelManifest manifest;
    try {
      manifest = JSON.readValue(Files.readAllBytes(file), ModelManifest.class);
    } catch (NoSuchFileException e) {
      throw new ModelLoadException(
          dir,
          "no "
              + FILE_NAME
              + " (a model directory holds the model file, model.pt or model.onnx, and its"
              + " manifest)");
    } catch (IOException e) {
      throw new ModelLoadException(file, "unreadable manifest: " + e.getMessage(), e);
    }
    List<String> problems = manifest.problems();
    if (!problems.isEmpty()) {
      throw new ModelLoadException(file, "invalid manifest: " + String.join("; ", problems));
    }
    if (!Files.isRegularFile(dir.resolve(manifest.modelFile()))) {
      throw new ModelLoadException(
          dir, "the manifest names " + manifest.modelFile() + ", which is missing");
    }
    return manifest;
  }

  List<String> problems() {
    List<String> p = new ArrayList<>();
    if (!FORMAT.equals(format)) {
      p.add("format must be \"" + FORMAT + "\", got " + quote(format));
    }
    if (modelId == null || modelId.isBlank()) {
      p.add("model_id is missing");
    }
    Optional<ModelEngine> known = engine == null ? Optional.of(ModelEngine.PYTORCH) : byName();
    if (known.isEmpty()) {
      p.add(
          "engine must be one of "
              + ModelEngine.names()
              + " (absent means PyTorch), got "
              + quote(engine));
    } else {
      ModelEngine e = known.get();
      String file = fileOf(e);
      if (!isPlainFileName(file, e.extension())) {
        p.add(
            e.fileField()
                + " must name a "
                + e.extension()
                + " file in the model directory (engine "
                + e.djlName()
                + "), got "
                + quote(file));
      }
      for (ModelEngine other : ModelEngine.values()) {
        if (other != e && fileOf(other) != null) {
          p.add(
              other.fileField()
                  + " belongs to engine "
                  + other.djlName()
                  + ", but this manifest's engine is "
                  + e.djlName()
                  + ": name the model file in "
                  + e.fileField());
        }
      }
      if (computeDtype != null && !e.dtypes().contains(computeDtype)) {
        ModelEngine runs =
            Arrays.stream(ModelEngine.values())
                .filter(x -> x.dtypes().contains(computeDtype))
                .findFirst()
                .orElse(null);
        p.add(
            "compute_dtype must be one of "
                + e.dtypes()
                + " for engine "
                + e.djlName()
                + ", got "
                + quote(computeDtype)
                + (runs == null
                    ? ""
                    : " (" + computeDtype + " needs engine " + runs.djlName() + ")"));
      }
    }
    if (imageSize == null
        || !positive(imageSize.get("height"))
        || !positive(imageSize.get("width"))) {
      p.add("image_size must have positive height and width, got " + imageSize);
    }
    if (rescaleFactor == null || !(rescaleFactor > 0)) {
      p.add("rescale_factor must be positive, got " + rescaleFactor);
    }
    if (imageMean == null || imageMean.size() != 3) {
      p.add("image_mean must hold 3 values (R, G, B), got " + imageMean);
    }
    if (imageStd == null
        || imageStd.size() != 3
        || imageStd.stream().anyMatch(s -> s == null || !(s > 0))) {
      p.add("image_std must hold 3 positive values, got " + imageStd);
    }
    if (!"bilinear".equals(resample)) {
      p.add("resample must be \"bilinear\" (the only filter implemented), got " + quote(resample));
    }
    if (!positive(embeddingSize)) {
      p.add("embedding_size must be positive, got " + embeddingSize);
    }
    if (!"mean".equals(pooling)) {
      p.add(
          "pooling must be \"mean\" (pooling happens inside the exported graph), got "
              + quote(pooling));
    }
    if (computeDtype == null) {
      p.add("compute_dtype is missing");
    }
    return p;
  }

  public int height() {
    return imageSize.get("height");
  }

  public int width() {
    return imageSize.get("width");
  }

  /** The engine that runs this model; PyTorch when the manifest names none. */
  public ModelEngine modelEngine() {
    return engine == null
        ? ModelEngine.PYTORCH
        : byName()
            .orElseThrow(() -> new IllegalStateException("unvalidated manifest: " + quote(engine)));
  }

  /** The graph's file name in the model directory: model.pt or model.onnx. */
  public String modelFile() {
    return fileOf(modelEngine());
  }

  /** The model file name without its extension, which is how DJL names a model. */
  String modelName() {
    String file = modelFile();
    return file.substring(0, file.length() - modelEngine().extension().length());
  }

  private Optional<ModelEngine> byName() {
    return ModelEngine.byName(engine);
  }

  private String fileOf(ModelEngine e) {
    return e == ModelEngine.PYTORCH ? torchscript : onnx;
  }

  private static boolean isPlainFileName(String file, String extension) {
    return file != null
        && file.length() > extension.length()
        && file.endsWith(extension)
        && !file.contains("/")
        && !file.contains("\\")
        && !file.startsWith(".");
  }

  private static boolean positive(Integer v) {
    return v != null && v > 0;
  }

  /** Quotes a manifest value for a message, cut short: a manifest is input, and may be huge. */
  private static String quote(String s) {
    if (s == null) {
      return "nothing";
    }
    return "\""
        + (s.length() <= QUOTED_MAX
            ? s
            : s.substring(0, QUOTED_MAX) + "...(" + s.length() + " chars)")
        + "\"";
  }
}
