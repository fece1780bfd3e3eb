package io.lesionsearch.cli;

import java.util.Set;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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

  /** The command words of the Flink jobs, the only ones Flink's client or JobManager runs. */
  private static final Set<String> JOBS = Set.of("ingest-job", "query-job");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int status = commandLine().execute(args);
    if (args.length > 0 && JOBS.contains(args[0]) && underFlink()) {
      // `flink run` and the REST API's /jars/:id/run call this main inside Flink: the CLI's JVM, or
      // the JobManager's, which System.exit would end (with every job it runs). Return instead;
      // a failure (its reason is printed above) is thrown, so that Flink reports the run as failed.
      if (status != 0) {
        throw new IllegalStateException("lesion-search " + args[0] + " failed with exit status " + status);
      }
      return;
    }
    System.exit(status);
  }

  /** Whether this main was called by Flink's client or JobManager rather than as a program of its own. */
  static boolean underFlink() {
    return !(StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment);
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
