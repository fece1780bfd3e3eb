package io.lesionsearch.cli;

import io.lesionsearch.config.QdrantConfig;
import io.lesionsearch.ingest.IngestConfig;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.options.OptionsFile;
import io.lesionsearch.reindex.Reindex;
import io.lesionsearch.reindex.ReindexSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "reindex",
    mixinStandardHelpOptions = true,
    description = {
      "Re-embed every image of the ingest topic (read from the start with a new consumer group, up",
      "to its end when the re-index starts) with --model into the new collection --to, while",
      "searches keep reading the alias; evaluate both collections (mAP@k of same-diagnosis",
      "neighbours) and switch the alias in one atomic call when --swap is given or the new mAP@k is",
      "at least the current one minus --max-drop. Exit 0: switched; 3: kept; 2: failed."
    })
final class ReindexCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "NAME",
      description = "The new physical collection, by convention ALIAS__MODEL_ID.")
  String to;

  @Option(
      names = "--alias",
      paramLabel = "ALIAS",
      description = "The alias searches use (default: --collection, itself lesions by default).")
  String alias;

  @Option(names = "--swap", description = "Switch the alias whatever the evaluation says.")
  boolean swap;

  @Option(
      names = "--max-drop",
      defaultValue = "0.02",
      description =
          "How much lower the new mAP@k may be than the current one (default: ${DEFAULT-VALUE}).")
  double maxDrop;

  @Option(
      names = "--k",
      defaultValue = "10",
      description = "The evaluation's cut-off k (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--requested-by",
      paramLabel = "WHO",
      description = "Who asked, for the audit trail (default: the OS user).")
  String requestedBy;

  @Option(
      names = OptionsFile.OPTION,
      paramLabel = "FILE",
      description = "Properties file of the ingest options (see ingest-job). Arguments win.")
  String config;

  @Mixin IngestOptions options; // for --help; the run parses the ingest arguments as a whole

  /** This command's own options, which the ingest options' parse must not see. */
  private static final Set<String> OWN_WITH_VALUE =
      Set.of("--to", "--alias", "--max-drop", "--k", "--requested-by");

  @Override
  public Integer call() throws Exception {
    List<String> all = spec.commandLine().getParseResult().originalArgs();
    List<String> ingestArgs = ingestArgs(all.subList(all.indexOf(spec.name()) + 1, all.size()));
    IngestConfig parsed = IngestOptions.parse(ingestArgs.toArray(String[]::new));
    ReindexSettings settings =
        new ReindexSettings(
            into(parsed, to),
            alias != null ? alias : parsed.qdrant().collection(),
            swap,
            maxDrop,
            k,
            requestedBy != null ? requestedBy : System.getProperty("user.name"));
    return Reindex.run(settings, StreamExecutionEnvironment.getExecutionEnvironment(), System.out);
  }

  static List<String> ingestArgs(List<String> args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (a.equals("--swap")) {
        continue;
      }
      if (OWN_WITH_VALUE.contains(name)) {
        if (!a.contains("=")) {
          i++; // its value
        }
        continue;
      }
      out.add(a);
    }
    return out;
  }

  /**
   * The ingest settings for writing into {@code collection} with a consumer group of its own, so
   * that the topic is read from its start and the ingest job's group is left alone.
   */
  static IngestConfig into(IngestConfig o, String collection) {
    QdrantConfig q = o.qdrant();
    return new IngestConfig(
        o.kafka(),
        new QdrantConfig(
            q.host(), q.port(), q.tls(), q.tlsCa(), q.apiKey(), q.maxInboundBytes(), collection),
        o.flink(),
        o.images(),
        o.topic(),
        "lesion-search-reindex-" + collection + "-" + System.currentTimeMillis(),
        o.deadLetterTopic(),
        o.model(),
        o.batchSize(),
        o.batchMaxDelayMs(),
        o.upsertBatchSize(),
        o.upsertMaxDelayMs(),
        o.imageRoots(),
        o.payloadFields(),
        o.thumbnailSize());
  }
}
