package io.lesionsearch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The peer the project is compared with: jobs/bench/peer.py, which runs the tutorial's own pipeline
 * (transformers' ViTImageProcessor + ViTModel, mean pooling) over the same JPEG files, in a
 * separate Python process so that both sides get the whole machine in turn.
 */
public final class PythonPeer {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One timed phase of the peer ("end-to-end" or "model-only"). */
  public record Phase(String phase, String dtype, double imagesPerSecond, String versions) {}

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

  /** Runs both phases in {@code dtype} ("float32" or "bfloat16"); fails with the peer's output. */
  public List<Phase> run(String dtype) throws IOException, InterruptedException {
    if (!Files.isRegularFile(script)) {
      throw new IOException("peer script " + script + " not found (run from the repository root)");
    }
    Path log = Files.createTempFile("peer-", ".log");
    try {
      Process process =
          new ProcessBuilder(
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
                  "--json")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      int exit = process.waitFor();
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<Phase> phases = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("{")) {
          phases.add(phase(JSON.readTree(line)));
        }
      }
      if (exit != 0 || phases.isEmpty()) {
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
      return phases;
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
