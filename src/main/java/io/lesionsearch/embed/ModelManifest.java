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
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The manifest.json beside an exported TorchScript model: what the graph expects
 * (ViTImageProcessor's settings) and what it returns. Written by jobs/model/*.py; every field is
 * checked on load so a mismatched model fails at start instead of producing silently wrong vectors.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
    @JsonProperty("format") String format,
    @JsonProperty("model_id") String modelId,
    @JsonProperty("torchscript") String torchscript,
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
  private static final Set<String> DTYPES = Set.of("float32", "bfloat16");

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
          "no " + FILE_NAME + " (a model directory holds the TorchScript file and its manifest)");
    } catch (IOException e) {
      throw new ModelLoadException(file, "unreadable manifest: " + e.getMessage(), e);
    }
    List<String> problems = manifest.problems();
    if (!problems.isEmpty()) {
      throw new ModelLoadException(file, "invalid manifest: " + String.join("; ", problems));
    }
    if (!Files.isRegularFile(dir.resolve(manifest.torchscript()))) {
      throw new ModelLoadException(
          dir, "the manifest names " + manifest.torchscript() + ", which is missing");
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
    if (torchscript == null || !torchscript.endsWith(".pt") || torchscript.contains("/")) {
      p.add("torchscript must name a .pt file in the model directory, got " + quote(torchscript));
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
    if (!DTYPES.contains(computeDtype)) {
      p.add("compute_dtype must be one of " + DTYPES + ", got " + quote(computeDtype));
    }
    return p;
  }

  public int height() {
    return imageSize.get("height");
  }

  public int width() {
    return imageSize.get("width");
  }

  /** The TorchScript file name without ".pt", which is how DJL names a model. */
  String modelName() {
    return torchscript.substring(0, torchscript.length() - 3);
  }

  private static boolean positive(Integer v) {
    return v != null && v > 0;
  }

  private static String quote(String s) {
    return s == null ? "nothing" : "\"" + s + "\"";
  }
}
