package io.lesionsearch.cli;

import io.lesionsearch.datasets.Diagnosis;
import io.lesionsearch.datasets.SyntheticDataset;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Write a synthetic dermoscopy-like dataset in HAM10000's layout: HAM10000_metadata.csv and",
      "600x450 JPEGs in HAM10000_images_part_1/ (part_2/ after 5,000). Diagnoses, ages, sexes and",
      "sites follow HAM10000's proportions; each diagnosis has its own look. Same seed, same files."
    })
final class SynthCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--count", required = true, description = "Number of images.")
  int count;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Folder to write (must not hold a dataset yet).")
  Path out;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--quality",
      defaultValue = "0.85",
      description = "JPEG quality 0..1 (default: ${DEFAULT-VALUE}).")
  float quality;

  @Override
  public Integer call() throws Exception {
    if (count < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--count must be at least 1, got " + count);
    }
    if (!(quality > 0 && quality <= 1)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--quality must be in (0, 1], got " + quality);
    }
    var err = spec.commandLine().getErr();
    long start = System.nanoTime();
    long[] last = {start};
    List<SyntheticDataset.Row> rows =
        SyntheticDataset.write(
            out,
            count,
            seed,
            quality,
            (done, total) -> {
              long now = System.nanoTime();
              if (now - last[0] > 2_000_000_000L || done == total) {
                err.printf(
                    "synth: %d/%d images (%.0f images/s)%n",
                    done, total, done / ((now - start) / 1e9));
                err.flush();
                last[0] = now;
              }
            });
    Map<Diagnosis, Integer> perDx = new EnumMap<>(Diagnosis.class);
    rows.forEach(r -> perDx.merge(r.dx(), 1, Integer::sum));
    spec.commandLine()
        .getOut()
        .printf(
            "wrote %d images of %d lesions to %s (%s)%n",
            rows.size(),
            rows.stream().map(SyntheticDataset.Row::lesionId).distinct().count(),
            out,
            DatasetCheckCommand.counts(perDx));
    return 0;
  }
}
