package io.lesionsearch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.embed.EmbedResult;
import io.lesionsearch.embed.EmbeddingStage;
import io.lesionsearch.embed.ImageBytesPreparation;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.embed.ModelVariants;
import io.lesionsearch.embed.Preparation;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.ImageLimits;
import io.lesionsearch.options.DeviceOption;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Print one JSON line per image: {\"file\": ..., \"vector\": [...]}, or {\"file\": ..., \"error\": ...}.",
      "With --pixels, print the preprocessed tensor instead (shape and values), for checks against Pillow.",
      "Exit status 0 when every image was embedded, 1 when some could not be."
    })
final class EmbedCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @ArgGroup(multiplicity = "1")
  Mode mode;

  static final class Mode {
    @Option(
        names = "--model",
        paramLabel = "DIR",
        description =
            "Model directory (manifest.json + model.pt or model.onnx), or an export directory (export_model.py --out) whose fastest variant on the device runs.")
    Path model;

    @Option(
        names = "--pixels",
        paramLabel = "FILE",
        description =
            "Print the preprocessed [3, 224, 224] tensor of FILE (ViTImageProcessor settings of the --manifest model, else facebook/dino-vits16).")
    Path pixels;
  }

  @Option(
      names = "--manifest",
      paramLabel = "DIR",
      description = "With --pixels: take preprocessing settings from this model directory.")
  Path manifestDir;

  @Option(
      names = "--batch",
      defaultValue = "16",
      description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
  int batch;

  @Mixin DeviceOption device;

  @Parameters(paramLabel = "FILE", arity = "0..*", description = "JPEG or PNG images to embed.")
  List<Path> files = List.of();

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (mode.pixels != null) {
      return printPixels(out);
    }
    if (files.isEmpty()) {
      System.err.println("embed: give one or more image files after --model DIR");
      return 2;
    }
    int[] failed = {0};
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try (VitEncoder encoder = VitEncoder.open(mode.model, device.device);
        EmbeddingStage<Path> stage =
            new EmbeddingStage<>(
                encoder,
                readingFiles(encoder.manifest()),
                pool,
                ImageLimits.DEFAULT_DECODE_TIMEOUT)) {
      stage.embedAll(
          files.iterator(),
          batch,
          result -> {
            ObjectNode line = JSON.createObjectNode().put("file", result.input().toString());
            if (result.result() instanceof EmbedResult.Vector v) {
              line.set("vector", JSON.valueToTree(v.vector()));
            } else if (result.result() instanceof EmbedResult.Failure f) {
              failed[0]++;
              line.set("error", errorJson(f.reason(), f.message()));
            }
            out.println(line);
          });
    } finally {
      pool.shutdownNow();
    }
    return failed[0] == 0 ? 0 : 1;
  }

  /** A file's bytes, decoded with the default limits; a file that cannot be read is UNREADABLE. */
  private static Preparation<Path> readingFiles(ModelManifest manifest) {
    ImageBytesPreparation images = new ImageBytesPreparation(manifest, new ImageDecoder(), 0);
    return file -> {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new ImageDecodeException(
            ImageDecodeException.Reason.UNREADABLE, "cannot read " + file + ": " + e, e);
      }
      return images.prepare(bytes);
    };
  }

  private int printPixels(PrintStream out) throws Exception {
    ModelManifest manifest =
        manifestDir == null ? ModelManifest.DINO_VITS16 : ModelVariants.manifest(manifestDir);
    ObjectNode line = JSON.createObjectNode().put("file", mode.pixels.toString());
    try {
      float[] tensor = new VitPreprocessor(manifest).preprocess(Files.readAllBytes(mode.pixels));
      line.set("shape", JSON.valueToTree(new int[] {3, manifest.height(), manifest.width()}));
      line.set("values", JSON.valueToTree(tensor));
      out.println(line);
      return 0;
    } catch (ImageDecodeException e) {
      line.set("error", errorJson(e.reason(), e.getMessage()));
      out.println(line);
      return 1;
    }
  }

  private static ObjectNode errorJson(ImageDecodeException.Reason reason, String message) {
    return JSON.createObjectNode().put("reason", reason.name()).put("message", message);
  }
}
