package io.lesionsearch.cli;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the shaded jar: one command word per tool or job. */
@Command(
    name = "lesion-search",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Streaming skin-lesion image similarity search on Flink, DJL and Qdrant.",
    subcommands = {
      EmbedCommand.class,
      IngestJobCommand.class,
      QueryJobCommand.class,
      LocalCommand.class,
      SearchCommand.class,
      io.lesionsearch.web.WebCommand.class,
      DatasetsCommand.class,
      ProduceCommand.class,
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
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::reportFailure);
  }

  /** Users get the message (which names the path or option at fault); the stack trace goes to the log. */
  private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
    LoggerFactory.getLogger(Main.class).debug("command failed", e);
    return 1;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
