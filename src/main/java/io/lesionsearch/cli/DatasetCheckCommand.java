package io.lesionsearch.cli;

import io.lesionsearch.datasets.DatasetScan;
import io.lesionsearch.datasets.Diagnosis;
import io.lesionsearch.datasets.Ham10000Reader;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Read a HAM10000-layout dataset (HAM10000_metadata.csv + image folders) and report what",
      "`produce` would send and every row it could not use, by line. Exit status 1 if any row is bad."
    })
final class DatasetCheckCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "Dataset folder.")
  Path dataset;

  @Option(
      names = "--metadata",
      paramLabel = "FILE",
      description = "Metadata table, when it is not HAM10000_metadata.csv in DIR.")
  Path metadata;

  @Override
  public Integer call() throws Exception {
    DatasetScan scan =
        metadata == null ? Ham10000Reader.read(dataset) : Ham10000Reader.read(dataset, metadata);
    Map<Diagnosis, Integer> perDx = new EnumMap<>(Diagnosis.class);
    scan.images().forEach(i -> perDx.merge(i.dx(), 1, Integer::sum));
    spec.commandLine()
        .getOut()
        .printf(
            "%s: %d rows, %d usable images (%s)%n",
            scan.metadata(), scan.rows(), scan.images().size(), counts(perDx));
    if (!scan.clean()) {
      spec.commandLine().getErr().println(scan.problemSummary(Integer.MAX_VALUE));
      return 1;
    }
    return 0;
  }

  static String counts(Map<Diagnosis, Integer> perDx) {
    return perDx.entrySet().stream()
        .map(e -> e.getKey().code() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
