package io.lesionsearch.cli;

import io.lesionsearch.datasets.DatasetScan;
import io.lesionsearch.datasets.Ham10000Reader;
import io.lesionsearch.datasets.LesionImage;
import io.lesionsearch.options.IngestTopicOption;
import io.lesionsearch.options.KafkaClientOptions;
import io.lesionsearch.produce.DatasetProducer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Publish a HAM10000-layout dataset to Kafka as a feed of ingest messages (key = image_id;",
      "dx = the Hugging Face long name, dx_code = the short code). Rows that cannot be used are",
      "listed by line and stop the run unless --skip-bad-rows."
    })
final class ProduceCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dataset",
      required = true,
      paramLabel = "DIR",
      description = "Dataset folder (HAM10000_metadata.csv + image folders).")
  Path dataset;

  @Option(
      names = "--metadata",
      paramLabel = "FILE",
      description = "Metadata table, when it is not HAM10000_metadata.csv in DIR.")
  Path metadata;

  @Mixin KafkaClientOptions kafka;

  @Mixin IngestTopicOption topic;

  @Option(
      names = "--rate",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Images per second; 0 = as fast as Kafka takes them (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--limit",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Stop after N messages; 0 = the whole dataset once (default: ${DEFAULT-VALUE}).")
  long limit;

  @Option(
      names = "--loop",
      description =
          "Start over at the end of the dataset, until --limit or Ctrl-C (repeats overwrite their own points).")
  boolean loop;

  @ArgGroup(exclusive = true)
  ImageMode mode = new ImageMode();

  static final class ImageMode {
    @Option(
        names = "--inline",
        description = "Send each image base64 in its message (the default).")
    boolean inline;

    @Option(
        names = "--uri",
        description =
            "Send image_uri = the file's absolute path instead; every TaskManager must be able to read it.")
    boolean uri;
  }

  @Option(
      names = "--skip-bad-rows",
      description = "Produce the usable rows when some are bad (they are listed either way).")
  boolean skipBadRows;

  @Option(
      names = "--connect-timeout-s",
      defaultValue = "15",
      description = "How long to wait for Kafka to answer (default: ${DEFAULT-VALUE}).")
  int connectTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    DatasetScan scan =
        metadata == null ? Ham10000Reader.read(dataset) : Ham10000Reader.read(dataset, metadata);
    if (!scan.clean()) {
      err.println(scan.problemSummary(20));
      if (!skipBadRows) {
        err.println(
            "produce: nothing sent; fix the rows, or pass --skip-bad-rows to send the "
                + scan.images().size()
                + " usable images without them");
        return 1;
      }
      err.printf(
          "produce: skipping %d bad rows, sending %d images%n",
          scan.problems().size(), scan.images().size());
    }
    DatasetProducer.Settings settings =
        DatasetProducer.Settings.of(kafka.bootstrapServers, topic.topic)
            .withRate(rate)
            .withLimit(limit)
            .withLoop(loop)
            .withInline(!mode.uri)
            .withKafkaProperties(kafka.properties)
            .withConnectTimeout(Duration.ofSeconds(connectTimeoutSeconds));
    try (DatasetProducer producer = DatasetProducer.connect(settings)) {
      Thread hook = new Thread(producer::stop);
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        DatasetProducer.Summary summary =
            producer.produce(
                scan.images(),
                new DatasetProducer.Listener() {
                  @Override
                  public void progress(long sent, double perSecond) {
                    err.printf("produce: %d images sent (%.1f images/s)%n", sent, perSecond);
                    err.flush();
                  }

                  @Override
                  public void skipped(LesionImage image, String why) {
                    err.printf("produce: skipped %s: %s%n", image.imageId(), why);
                  }
                });
        spec.commandLine()
            .getOut()
            .printf(
                "sent %d images to %s at %s in %.1f s (%.1f images/s)%s%n",
                summary.sent(),
                topic.topic,
                kafka.bootstrapServers,
                summary.seconds(),
                summary.imagesPerSecond(),
                summary.skipped() > 0
                    ? ", " + summary.skipped() + " unreadable images skipped"
                    : "");
        return summary.skipped() > 0 ? 1 : 0;
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is exiting: the hook has done its job
        }
      }
    }
  }
}
