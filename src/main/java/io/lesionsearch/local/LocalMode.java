package io.lesionsearch.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.lesionsearch.datasets.DatasetScan;
import io.lesionsearch.datasets.Ham10000Reader;
import io.lesionsearch.datasets.LesionImage;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.embed.ModelVariants;
import io.lesionsearch.produce.DatasetProducer;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.query.ReplyTable;
import io.lesionsearch.query.SearchClient;
import io.lesionsearch.web.WebConfig;
import io.lesionsearch.web.WebServer;
import io.qdrant.client.ConditionFactory;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The whole system on one machine, as a newcomer first meets it: starts the {@link LocalStack},
 * streams a dataset into the ingest topic, waits until every image is a point or a dead letter,
 * runs the tutorial's searches through the query job, and then serves until stopped.
 */
public final class LocalMode {

  /** What one run did, for the caller to check. */
  public record Report(
      long sent,
      long indexed,
      List<DeadLetterWatch.Letter> deadLetters,
      List<Answered> searches,
      URI webPage,
      Path auditLog) {}

  /** A tutorial search and the query job's reply to it. */
  public record Answered(TutorialSearches.Example example, JsonNode reply) {}

  /**
   * @param qdrant a running Qdrant server's gRPC HOST:PORT, or null for the embedded endpoint on
   *     {@code qdrantPort}
   * @param qdrantApiKey that server's API key, or null
   * @param collection where the dataset is indexed and searched
   */
  public record Settings(
      Path model,
      Path dataset,
      long limit,
      double rate,
      String qdrant,
      String qdrantApiKey,
      int qdrantPort,
      String collection,
      int flinkPort,
      int webPort,
      int thumbnailSize,
      Duration indexTimeout) {}

  private static final Duration SEARCH_TIMEOUT = Duration.ofSeconds(30);

  private final Settings settings;
  private final PrintWriter out;

  /** When the parts began to close, for the closing line. */
  private long stopping;

  public LocalMode(Settings settings, PrintWriter out) {
    this.settings = settings;
    this.out = out;
  }

  /**
   * Runs everything up to the example searches; then returns the report when {@code stopped} is
   * null, or keeps serving until {@code stopped} counts down.
   */
  public Report run(CountDownLatch stopped) throws Exception {
    ModelManifest manifest = ModelVariants.manifest(settings.model());
    warnIfRandom(manifest);
    DatasetScan scan = Ham10000Reader.read(settings.dataset());
    if (!scan.clean()) {
      out.println("dataset " + settings.dataset() + ": " + scan.problemSummary(5));
    }
    List<LesionImage> images =
        settings.limit() > 0
            ? scan.images().subList(0, (int) Math.min(settings.limit(), scan.images().size()))
            : scan.images();
    if (images.isEmpty()) {
      throw new IllegalArgumentException("dataset " + settings.dataset() + " has no usable images");
    }
    try (LocalLogs logs = LocalLogs.into(Files.createTempDirectory("lesion-search-local-"))) {
      out.println("Log:                     " + logs.log());
      out.println("Audit trail:             " + logs.audit());
      out.printf(
          "starting Kafka, %s and Flink (model %s) ...%n",
          settings.qdrant() == null
              ? "the Qdrant endpoint"
              : "with Qdrant at " + settings.qdrant() + ",",
          manifest.modelId());
      out.flush();
      Report report;
      try {
        report = runStack(stopped, images, logs);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        // The console shows warnings and errors; the causes Flink logs at INFO are in the file.
        out.println("failed; the whole log is in " + logs.log());
        out.flush();
        throw e;
      }
      out.printf("stopped cleanly in %.1f s%n", (System.nanoTime() - stopping) / 1e9);
      out.flush();
      return report;
    }
  }

  private Report runStack(CountDownLatch stopped, List<LesionImage> images, LocalLogs logs)
      throws Exception {
    try (LocalStack stack =
            new LocalStack(
                settings.model(),
                settings.qdrant(),
                settings.qdrantApiKey(),
                settings.qdrantPort(),
                settings.collection(),
                settings.flinkPort(),
                settings.thumbnailSize());
        DeadLetterWatch deadLetters =
            new DeadLetterWatch(
                stack.kafka().bootstrapServers(), stack.ingestConfig().deadLetterTopic());
        SearchClient client =
            new SearchClient(
                stack.kafka().bootstrapServers(),
                stack.queryConfig().requestsTopic(),
                stack.queryConfig().repliesTopic(),
                Map.of());
        // The page's searches take the same Kafka path as every other client's.
        WebServer web =
            WebServer.start(
                client::search,
                WebConfig.defaults()
                    .withPort(settings.webPort())
                    .withSamples(
                        images.stream()
                            .limit(WebConfig.MAX_SAMPLES)
                            .map(LesionImage::imageId)
                            .toList()))) {
      printAddresses(stack, web);
      long sent = produce(stack, images, deadLetters);
      long indexed = awaitIndexed(stack, distinctIds(images), deadLetters);
      List<Answered> answered = searchExamples(client, images);
      Report report =
          new Report(sent, indexed, deadLetters.letters(), answered, web.uri(), logs.audit());
      if (stopped != null) {
        printAddresses(stack, web);
        out.println("serving; press Ctrl-C to stop");
        out.flush();
        awaitStop(stopped);
        out.println("stopping ...");
        out.flush();
      }
      stopping = System.nanoTime();
      return report;
    }
  }

  /**
   * Ctrl-C also interrupts this thread, to end the other waits; here the count down is the news.
   */
  private static void awaitStop(CountDownLatch stopped) throws InterruptedException {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      if (stopped.getCount() > 0) {
        throw e;
      }
    }
  }

  private void warnIfRandom(ModelManifest manifest) {
    if (manifest.modelId().startsWith("random/")) {
      out.println(
          "NOTE: "
              + settings.model()
              + " is a random-weight test model ("
              + manifest.modelId()
              + "):");
      out.println(
          "      searches run the real pipeline, but their neighbours are not clinically meaningful.");
      out.println(
          "      For real results export facebook/dino-vits16 with jobs/model/export_model.py");
      out.println("      on a machine with internet access (see README, 'The real model'),");
      out.println("      then run jobs/run-local.sh --model DIR.");
    }
  }

  private void printAddresses(LocalStack stack, WebServer web) throws Exception {
    out.println("Web page:                " + web.uri());
    out.println(
        "Kafka bootstrap servers: "
            + stack.kafka().bootstrapServers()
            + "  (topics "
            + stack.ingestConfig().topic()
            + ", "
            + stack.queryConfig().requestsTopic()
            + ", "
            + stack.queryConfig().repliesTopic()
            + ")");
    out.println(
        "Qdrant gRPC:             "
            + stack.qdrant().host()
            + ":"
            + stack.qdrant().port()
            + "  (collection "
            + stack.collection()
            + (settings.qdrant() == null ? ", embedded endpoint)" : ", a running server)"));
    out.println("Flink web UI:            " + stack.flinkWebAddress());
    out.flush();
  }

  private long produce(LocalStack stack, List<LesionImage> images, DeadLetterWatch deadLetters)
      throws Exception {
    DatasetProducer.Settings producing =
        DatasetProducer.Settings.of(stack.kafka().bootstrapServers(), stack.ingestConfig().topic())
            .withRate(settings.rate());
    try (DatasetProducer producer = DatasetProducer.connect(producing)) {
      DatasetProducer.Summary summary =
          producer.produce(
              images,
              new DatasetProducer.Listener() {
                @Override
                public void progress(long sent, double imagesPerSecond) {
                  out.printf(
                      "produced %d of %d images, %.1f images/s, %d dead letters%n",
                      sent, images.size(), imagesPerSecond, deadLetters.count());
                  out.flush();
                }

                @Override
                public void skipped(LesionImage image, String why) {
                  out.printf("skipped %s: %s%n", image.imageId(), why);
                }
              });
      out.printf(
          "produced %d images in %.1f s (%.1f images/s), %d skipped%n",
          summary.sent(), summary.seconds(), summary.imagesPerSecond(), summary.skipped());
      return summary.sent();
    }
  }

  /** Waits until every distinct image_id is a point or a dead letter; returns the point count. */
  private long awaitIndexed(LocalStack stack, Set<String> imageIds, DeadLetterWatch deadLetters)
      throws Exception {
    long deadline = System.nanoTime() + settings.indexTimeout().toNanos();
    long lastReport = 0;
    List<PointId> ids =
        imageIds.stream().map(id -> PointIdFactory.id(PointIds.forImageId(id))).toList();
    try (QdrantClient qdrant = stack.qdrant().open()) {
      while (true) {
        stack.checkJobsRunning();
        long points = count(qdrant, stack.collection(), ids);
        int dead = deadLetters.distinctKeys(imageIds);
        boolean done = points + dead >= imageIds.size();
        long now = System.nanoTime();
        if (done || now - lastReport > 2_000_000_000L) {
          out.printf("indexed %d of %d images, %d dead letters%n", points, imageIds.size(), dead);
          out.flush();
          lastReport = now;
        }
        if (done) {
          for (DeadLetterWatch.Letter letter : deadLetters.letters()) {
            out.printf("dead letter %s: %s%n", letter.key(), letter.reason());
          }
          return points;
        }
        if (now > deadline) {
          throw new TimeoutException(
              "only "
                  + points
                  + " of "
                  + imageIds.size()
                  + " images indexed ("
                  + dead
                  + " dead letters) after "
                  + settings.indexTimeout().toSeconds()
                  + " s");
        }
        Thread.sleep(250);
      }
    }
  }

  /** Points of this dataset's images: a running server's collection may hold others already. */
  private static long count(QdrantClient qdrant, String collection, List<PointId> ids)
      throws InterruptedException {
    try {
      // The sink creates the collection with its first batch; asking first keeps the client from
      // logging each early count as a failed call.
      if (!qdrant.collectionExistsAsync(collection).get(10, TimeUnit.SECONDS)) {
        return 0;
      }
      return qdrant
          .countAsync(
              collection, Filter.newBuilder().addMust(ConditionFactory.hasId(ids)).build(), true)
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return 0;
    }
  }

  private List<Answered> searchExamples(SearchClient client, List<LesionImage> images)
      throws Exception {
    List<Answered> answered = new ArrayList<>();
    LesionImage query = images.get(0);
    out.println();
    out.printf(
        "The tutorial's searches, with %s (%s, %s) as the query image:%n",
        query.imageId(), query.dx().longName(), query.localization());
    for (TutorialSearches.Example example : TutorialSearches.of(query, images)) {
      JsonNode reply = client.search(example.request(), SEARCH_TIMEOUT).get();
      out.println();
      out.println("== " + example.title());
      ReplyTable.print(reply, out);
      out.flush();
      answered.add(new Answered(example, reply));
    }
    out.println();
    return answered;
  }

  private static Set<String> distinctIds(List<LesionImage> images) {
    Set<String> ids = new LinkedHashSet<>();
    images.forEach(i -> ids.add(i.imageId()));
    return ids;
  }
}
