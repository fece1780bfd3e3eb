package io.lesionsearch.cli;

import io.lesionsearch.bench.EmbedBenchmark;
import io.lesionsearch.bench.JpegFolder;
import io.lesionsearch.bench.PythonPeer;
import io.lesionsearch.options.DeviceOption;
import io.lesionsearch.options.ModelDirOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Model-only and end-to-end (decode + preprocess + infer) images/s on synthetic 600x450 JPEGs",
      "(or --images DIR), measured in the same run. Make the full-depth test model first:",
      "  python3 jobs/model/make_test_model.py --depth 12 --dtype bfloat16",
      "With --vs-peer, alternates with jobs/bench/peer.py (the tutorial's transformers pipeline, in",
      "a Python with torch and transformers<5) over the same JPEGs and prints the ratios."
    })
final class EmbedBenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ModelDirOption model;

  @Mixin DeviceOption device;

  @Option(
      names = "--batch",
      defaultValue = "16",
      description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--seconds",
      defaultValue = "20",
      description = "Measured seconds per phase (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--warmup",
      defaultValue = "5",
      description = "Unmeasured warm-up seconds (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--decode-threads",
      description = "Decode/preprocess threads (default: available cores).")
  Integer decodeThreads;

  @Option(
      names = "--images",
      paramLabel = "DIR",
      description = "Time these JPEG files (*.jpg, *.jpeg) instead of the synthetic ones.")
  Path images;

  @Option(
      names = "--vs-peer",
      description = "Run jobs/bench/peer.py and this pipeline alternately, print both and ratios.")
  boolean vsPeer;

  @Option(
      names = "--peer-python",
      defaultValue = "python3",
      description = "Python with torch and transformers for the peer (default: ${DEFAULT-VALUE}).")
  String peerPython;

  @Option(
      names = "--peer-script",
      defaultValue = "jobs/bench/peer.py",
      description = "The peer (default: ${DEFAULT-VALUE}).")
  Path peerScript;

  @Option(
      names = "--peer-dtype",
      split = ",",
      defaultValue = "float32,bfloat16",
      description = "Peer precisions, float32 and/or bfloat16 (default: ${DEFAULT-VALUE}).")
  List<String> peerDtypes;

  @Option(
      names = "--peer-depth",
      defaultValue = "12",
      description =
          "Encoder layers of the peer's ViTModel; match the --model's (default: ${DEFAULT-VALUE},"
              + " dino-vits16).")
  int peerDepth;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "With --vs-peer: alternating rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  public Integer call() throws Exception {
    int threads =
        decodeThreads != null ? decodeThreads : Runtime.getRuntime().availableProcessors();
    List<byte[]> jpegs = images != null ? JpegFolder.read(images) : EmbedBenchmark.syntheticJpegs();
    String label =
        images != null
            ? jpegs.size() + " JPEGs from " + images
            : jpegs.size() + " distinct synthetic 600x450 JPEGs";
    EmbedBenchmark bench =
        new EmbedBenchmark(
            model.model, device.device, batch, threads, warmup, seconds, jpegs, label, System.out);
    if (!vsPeer) {
      bench.run();
      return 0;
    }
    for (String dtype : peerDtypes) {
      if (!dtype.equals("float32") && !dtype.equals("bfloat16")) {
        throw new ParameterException(
            spec.commandLine(), "--peer-dtype must be float32 or bfloat16, got " + dtype);
      }
    }
    Path folder = images != null ? images : JpegFolder.write(jpegs);
    try {
      int cores = Runtime.getRuntime().availableProcessors();
      PythonPeer peer =
          new PythonPeer(peerPython, peerScript, folder, batch, cores, warmup, seconds, peerDepth);
      bench.runVersusPeer(peer, peerDtypes, rounds);
    } finally {
      if (images == null) {
        JpegFolder.delete(folder);
      }
    }
    return 0;
  }
}
