package io.lesionsearch.cli;

import java.util.Set;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of both shaded jars: one command word per tool or job. The cluster jar leaves out the
 * local-only packages (see pom.xml), so their commands are added only where their classes are.
 */
@Command(
    name = "lesion-search",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Streaming skin-lesion image similarity search on Flink, DJL and Qdrant.")
public final class Main implements Runnable {

  /** The package of the commands that run the embedded services, in the full jar only. */
  static final String LOCAL_COMMANDS = "io.lesionsearch.cli.local.";

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
        throw new IllegalStateException(
            "lesion-search " + args[0] + " failed with exit status " + status);
      }
      return;
    }
    System.exit(status);
  }

  /**
   * Whether this main was called by Flink's client or JobManager rather than as a program of its
   * own.
   */
  static boolean underFlink() {
    return !(StreamExecutionEnvironment.getExecutionEnvironment()
        instanceof LocalStreamEnvironment);
  }

  /** Shared by main and tests, so tests exercise exactly the parsing users get. */
  public static CommandLine commandLine() {
    CommandLine main = new CommandLine(new Main());
    main.addSubcommand(EmbedCommand.class);
    main.addSubcommand(IngestJobCommand.class);
    main.addSubcommand(QueryJobCommand.class);
    addLocalOnly(main, "LocalCommand");
    main.addSubcommand(SearchCommand.class);
    main.addSubcommand(WebCommand.class);
    main.addSubcommand(DatasetsCommand.class);
    main.addSubcommand(ProduceCommand.class);
    main.addSubcommand(EvaluateCommand.class);
    CommandLine bench = new CommandLine(BenchCommand.class);
    addLocalOnly(bench, "IngestBenchCommand", "QueryBenchCommand", "QdrantLocalBenchCommand");
    main.addSubcommand(bench);
    addLocalOnly(main, "QdrantLocalCommand");
    main.addSubcommand(CommandLine.HelpCommand.class);
    // Set last: these settings reach only the subcommands already added.
    return main.setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::reportFailure);
  }

  /**
   * Adds the named commands of {@link #LOCAL_COMMANDS} if this jar has them: the cluster jar does
   * not.
   */
  private static void addLocalOnly(CommandLine parent, String... simpleNames) {
    for (String name : simpleNames) {
      Class<?> command;
      try {
        command = Class.forName(LOCAL_COMMANDS + name);
      } catch (ClassNotFoundException clusterJar) {
        continue;
      }
      parent.addSubcommand(command);
    }
  }

  /**
   * Users get the message (which names the path or option at fault); the stack trace goes to the
   * log.
   */
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
