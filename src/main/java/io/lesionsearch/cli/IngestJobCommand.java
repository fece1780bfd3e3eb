package io.lesionsearch.cli;

import io.lesionsearch.ingest.IngestJob;
import io.lesionsearch.ingest.IngestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "ingest-job",
    mixinStandardHelpOptions = true,
    description = {
      "Run the ingest job: Kafka images + metadata -> ViT-S/16 embeddings -> Qdrant points;",
      "records that cannot be indexed go to the dead-letter topic. Runs locally, or on a cluster",
      "under `flink run -c io.lesionsearch.cli.Main lesion-search.jar ingest-job ...`."
    })
final class IngestJobCommand extends JobCommand {

  @Mixin IngestOptions options; // for --help; the run parses the arguments as a whole

  @Override
  String build(StreamExecutionEnvironment env, String[] args) throws Exception {
    IngestJob.build(env, IngestOptions.parse(args));
    return IngestJob.NAME;
  }
}
