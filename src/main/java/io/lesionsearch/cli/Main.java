package io.lesionsearch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the shaded jar: one command word per tool or job. */
@Command(
    name = "lesion-search",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Streaming skin-lesion image similarity search on Flink, DJL and Qdrant.",
    subcommands = {
      BenchCommand.class,
      io.lesionsearch.qdrantlocal.QdrantLocalCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** Shared by main and tests, so tests exercise exactly the parsing users get. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
