package io.lesionsearch.cli;

import io.lesionsearch.options.OptionsFile;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * A command that builds a Flink job and runs it: locally, or on a cluster under {@code flink run}.
 * Subclasses declare their options as a {@code @Mixin} for {@code --help}; the run parses the
 * command's arguments once more as a whole, so that {@code --config} settings and arguments merge
 * by one rule (arguments win).
 */
abstract class JobCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = OptionsFile.OPTION,
      paramLabel = "FILE",
      description =
          "Properties file of options (keys without dashes; kafka.* for Kafka client settings). Arguments win.")
  String config;

  /** Parses {@code args} into the job's options and builds the job; returns its name. */
  abstract String build(StreamExecutionEnvironment env, String[] args) throws Exception;

  @Override
  public Integer call() throws Exception {
    List<String> all = spec.commandLine().getParseResult().originalArgs();
    String[] own = all.subList(all.indexOf(spec.name()) + 1, all.size()).toArray(String[]::new);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.execute(build(env, own));
    return 0;
  }
}
