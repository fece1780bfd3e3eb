package io.lesionsearch.reindex;

import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.embed.ModelVariants;
import io.lesionsearch.evaluate.CollectionVectors;
import io.lesionsearch.evaluate.EvaluationSettings;
import io.lesionsearch.evaluate.Loaded;
import io.lesionsearch.evaluate.RetrievalEvaluation;
import io.lesionsearch.ingest.IngestConfig;
import io.lesionsearch.ingest.IngestJob;
import io.lesionsearch.qdrant.CollectionBootstrap;
import io.lesionsearch.qdrant.ModelCollections;
import io.qdrant.client.QdrantClient;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Re-embeds every image of the ingest topic with a new model into a new physical collection while
 * searches keep reading the alias, evaluates both collections, and switches the alias in one atomic
 * call when the gate allows ({@link QualityGate}).
 */
public final class Reindex {
  /** The alias now names the new collection. */
  public static final int SWITCHED = 0;

  /** The re-index could not be done; nothing was switched. */
  public static final int FAILED = 2;

  /** The new collection is complete, but the gate kept the alias where it was. */
  public static final int KEPT = 3;

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final long PROGRESS_EVERY_MS = 2000;

  private Reindex() {}

  public static int run(ReindexSettings s, StreamExecutionEnvironment env, PrintStream out)
      throws Exception {
    IngestConfig o = s.ingest();
    ModelManifest manifest = ModelVariants.manifest(Path.of(o.model()));
    String target = s.target();
    try (QdrantClient client = o.qdrant().connection().open()) {
      AliasSwitch alias = new AliasSwitch(client, s.alias());
      if (alias.nameIsACollection()) {
        out.println(
            "'"
                + s.alias()
                + "' is a collection, not an alias, and Qdrant never lets an alias take a"
                + " collection's name. Re-index under another alias (--alias) and point the query"
                + " job at it.");
        return FAILED;
      }
      String current = alias.current();
      if (target.equals(current)) {
        out.println("'" + target + "' is the collection the alias names now; choose another --to.");
        return FAILED;
      }
      if (!get(client.collectionExistsAsync(target, TIMEOUT))) {
        // Made here, not by the sink: a name without '__' would otherwise become an alias.
        get(
            client.createCollectionAsync(
                CollectionBootstrap.request(target, manifest.embeddingSize(), manifest.modelId()),
                TIMEOUT));
      }
      out.printf(
          "Re-indexing topic %s into %s with model %s (consumer group %s); alias %s stays on %s%n",
          o.topic(),
          target,
          manifest.modelId(),
          o.groupId(),
          s.alias(),
          current == null ? "nothing" : current);
      IngestJob.buildBounded(env, o);
      JobClient job = env.executeAsync("lesion-search reindex " + target);
      CompletableFuture<JobExecutionResult> done = job.getJobExecutionResult();
      while (true) {
        try {
          done.get(PROGRESS_EVERY_MS, TimeUnit.MILLISECONDS);
          break;
        } catch (TimeoutException e) {
          out.printf("  %d points in %s%n", count(client, target), target);
        }
      }
      out.printf("Re-indexed: %d points in %s%n", count(client, target), target);

      Double candidate = evaluate(client, target, s.k(), out);
      Double now = current == null ? null : evaluate(client, current, s.k(), out);
      QualityGate.Decision d;
      if (candidate == null || (current != null && now == null)) {
        d =
            s.swap()
                ? new QualityGate.Decision(true, "--swap was given")
                : new QualityGate.Decision(
                    false,
                    "the collections could not both be evaluated; the alias stays. Give --swap to"
                        + " switch anyway");
      } else {
        d = QualityGate.decide(s.swap(), now, candidate, s.maxDrop(), s.k());
      }
      if (!d.allowed()) {
        out.println("Alias " + s.alias() + " not switched: " + d.reason());
        return KEPT;
      }
      alias.switchTo(current, target, s.requestedBy());
      out.printf(
          "Alias %s switched: %s -> %s (%s)%n",
          s.alias(), current == null ? "nothing" : current, target, d.reason());
      return SWITCHED;
    }
  }

  /** mAP@k of a collection, or null (said why) when it cannot be evaluated. */
  private static Double evaluate(QdrantClient client, String collection, int k, PrintStream out)
      throws InterruptedException, ExecutionException, TimeoutException {
    Loaded loaded =
        CollectionVectors.read(client, collection, TIMEOUT, EvaluationSettings.Progress.NONE);
    try {
      double map =
          RetrievalEvaluation.run(
                  loaded.points(),
                  EvaluationSettings.defaults().withKs(List.of(k)).withResamples(0))
              .meanAveragePrecisionAt(k);
      out.printf(
          Locale.ROOT,
          "Evaluated %s (model %s): %d points, mAP@%d %.4f%n",
          collection,
          modelOf(client, collection),
          loaded.points().size(),
          k,
          map);
      return map;
    } catch (IllegalArgumentException e) {
      out.printf("Cannot evaluate %s: %s%n", collection, e.getMessage());
      return null;
    }
  }

  private static String modelOf(QdrantClient client, String collection)
      throws InterruptedException, ExecutionException, TimeoutException {
    String id = ModelCollections.modelId(get(client.getCollectionInfoAsync(collection, TIMEOUT)));
    return id == null ? "unrecorded" : id;
  }

  private static long count(QdrantClient client, String collection)
      throws InterruptedException, ExecutionException, TimeoutException {
    return get(client.countAsync(collection, null, true, TIMEOUT));
  }

  private static <T> T get(java.util.concurrent.Future<T> f)
      throws InterruptedException, ExecutionException, TimeoutException {
    return f.get(TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
  }
}
