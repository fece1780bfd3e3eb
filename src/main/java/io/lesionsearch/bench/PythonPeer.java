package io.lesionsearch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The peer the project is compared with: jobs/bench/peer.py, which runs the tutorial's own pipeline
 * (transformers' ViTImageProcessor + ViTModel, mean pooling) over the same JPEG files, in a
 * separate Python process so that both sides get the whole machine in turn.
 */
public final class PythonPeer {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One timed phase of the peer ("end-to-end" or "model-only"). */
  public record Phase(String phase, String dtype, double imagesPerSecond, String versions) {}

  /**
   * This machine's float32 compute ceiling for the model, measured by the peer: the model's GFLOP
   * per image and the fastest float32 matrix multiplication torch reaches here with the peer's
   * threads. No float32 pipeline of the model runs faster than {@link #imagesPerSecond}.
   */
  public record Ceiling(double gflopPerImage, double matmulGflops) {
    public double imagesPerSecond() {
      return matmulGflops / gflopPerImage;
    }
  }

  /** What one run of the peer printed; the ceiling only when asked for. */
  public record Run(List<Phase> phases, Optional<Ceiling> ceiling) {}

  private final String python;
  private final Path script;
  private final Path images;
  private final int batch;
  private final int threads;
  private final int warmupSeconds;
  private final int seconds;
  private final int depth;

  public PythonPeer(
      String python,
      Path script,
      Path images,
      int batch,
      int threads,
      int warmupSeconds,
      int seconds,
      int depth) {
    this.python = python;
    this.script = script;
    this.images = images;
    this.batch = batch;
    this.threads = threads;
    this.warmupSeconds = warmupSeconds;
    this.seconds = seconds;
    this.depth = depth;
  }

  /**
   * Runs both phases in {@code dtype} ("float32" or "bfloat16"), then measures the float32 ceiling
   * if {@code ceiling}; fails with the peer's output.
   */
  public Run run(String dtype, boolean ceiling) throws IOException, InterruptedException {
    if (!Files.isRegularFile(script)) {
      throw new IOException("peer script " + script + " not found (run from the repository root)");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                python,
                script.toString(),
                "--images",
                images.toString(),
                "--dtype",
                dtype,
                "--batch",
                Integer.toString(batch),
                "--threads",
                Integer.toString(threads),
                "--warmup",
                Integer.toString(warmupSeconds),
                "--seconds",
                Integer.toString(seconds),
                "--depth",
                Integer.toString(depth),
                "--json"));
    if (ceiling) {
      command.add("--ceiling");
    }
    Path log = Files.createTempFile("peer-", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      int exit = process.waitFor();
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<Phase> phases = new ArrayList<>();
      Optional<Ceiling> measured = Optional.empty();
      for (String line : lines) {
        if (line.startsWith("{")) {
          JsonNode n = JSON.readTree(line);
          if (n.path("peer").asText().equals("ceiling")) {
            measured =
                Optional.of(
                    new Ceiling(
                        n.path("gflop_per_image").asDouble(), n.path("matmul_gflops").asDouble()));
          } else {
            phases.add(phase(n));
          }
        }
      }
      if (exit != 0 || phases.isEmpty() || (ceiling && measured.isEmpty())) {
        throw new IOException(
            "peer "
                + python
                + " "
                + script
                + " exited "
                + exit
                + "; its last lines:\n  "
                + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 8), lines.size())));
      }
      return new Run(phases, measured);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static Phase phase(JsonNode n) {
    return new Phase(
        n.path("peer").asText(),
        n.path("dtype").asText(),
        n.path("images_per_s").asDouble(),
        "torch "
            + n.path("torch").asText()
            + ", transformers "
            + n.path("transformers").asText()
            + ", "
            + n.path("threads").asInt()
            + " threads, attention "
            + n.path("attn").asText()
            + ", depth "
            + n.path("depth").asInt());
  }
}
