package io.lesionsearch.cli;

import io.lesionsearch.ingest.IngestJob;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.options.OptionsFile;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "ingest-job",
    mixinStandardHelpOptions = true,
    description = {
      "Run the ingest job: Kafka images + metadata -> ViT-S/16 embeddings -> Qdrant points;",
      "records that cannot be indexed go to the dead-letter topic. Runs locally, or on a cluster",
      "under `flink run -c io.lesionsearch.cli.Main lesion-search.jar ingest-job ...`."
    })
final class IngestJobCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin IngestOptions options; // declared for --help; the run parses the arguments once more below

  @Option(names = OptionsFile.OPTION, paramLabel = "FILE", description = "Properties file of options (keys without dashes; kafka.* for Kafka client settings). Arguments win.")
  String config;

  @Override
  public Integer call() throws Exception {
    IngestOptions effective = IngestOptions.parse(JobArguments.of(spec));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    IngestJob.build(env, effective);
    env.execute(IngestJob.NAME);
    return 0;
  }
}
