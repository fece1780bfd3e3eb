package io.lesionsearch.cli;

import io.lesionsearch.options.OptionsFile;
import io.lesionsearch.query.QueryJob;
import io.lesionsearch.query.QueryOptions;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "query-job",
    mixinStandardHelpOptions = true,
    description = {
      "Run the query job: search requests from Kafka (image, vector or image_id, Qdrant filter) ->",
      "Qdrant -> one reply per request on the replies topic. Runs locally, or on a cluster under",
      "`flink run -c io.lesionsearch.cli.Main lesion-search.jar query-job ...`."
    })
final class QueryJobCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin QueryOptions options; // declared for --help; the run parses the arguments once more below

  @Option(names = OptionsFile.OPTION, paramLabel = "FILE", description = "Properties file of options (keys without dashes; kafka.* for Kafka client settings). Arguments win.")
  String config;

  @Override
  public Integer call() throws Exception {
    QueryOptions effective = QueryOptions.parse(JobArguments.of(spec));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    QueryJob.build(env, effective);
    env.execute(QueryJob.NAME);
    return 0;
  }
}
