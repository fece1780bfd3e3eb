package io.lesionsearch.cli;

import io.lesionsearch.query.QueryJob;
import io.lesionsearch.query.QueryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "query-job",
    mixinStandardHelpOptions = true,
    description = {
      "Run the query job: search requests from Kafka (image, vector or image_id, Qdrant filter) ->",
      "Qdrant -> one reply per request on the replies topic. Runs locally, or on a cluster under",
      "`flink run -c io.lesionsearch.cli.Main lesion-search.jar query-job ...`."
    })
final class QueryJobCommand extends JobCommand {

  @Mixin QueryOptions options; // for --help; the run parses the arguments as a whole

  @Override
  String build(StreamExecutionEnvironment env, String[] args) throws Exception {
    QueryJob.build(env, QueryOptions.parse(args));
    return QueryJob.NAME;
  }
}
