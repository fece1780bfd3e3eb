package io.lesionsearch.ingest;

import io.lesionsearch.embed.Decoded;
import io.lesionsearch.embed.EmbedResult;
import io.lesionsearch.embed.Embedded;
import io.lesionsearch.embed.EmbeddingStage;
import io.lesionsearch.embed.Encoder;
import io.lesionsearch.embed.SharedDecodePool;
import io.lesionsearch.embed.SlotDevice;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.image.ImageDecodeException.Reason;
import io.lesionsearch.kafka.DeadLetter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The ingest job's driver of the {@link EmbeddingStage}, with the TaskManager's shared model on
 * this slot's device. Decoding starts on the shared decode pool as each image arrives; a full batch
 * is inferred once the next batch is pending behind it, so that batch decodes during inference.
 * Everything pending runs when the oldest waiting image has waited about {@code maxDelayMs} for its
 * batch to fill (see {@link BatchFillClock}), before every checkpoint barrier and at the end of
 * input, so no image waits forever and none is left outside a checkpoint.
 *
 * <p>A deletion is handed on as it comes, but only after every image before it is embedded and
 * handed on: it may name a pending image, or a filter may match one, and it must not overtake that
 * image's upsert.
 *
 * <p>What goes wrong with one image stays with that image: a file it may not read, bytes that are
 * no image, an image too large for the pixel limits, a decode that throws anything short of a
 * broken JVM, or one that takes longer than the decode timeout - each makes that image a dead
 * letter, and the job goes on.
 */
public final class EmbedOperator extends AbstractStreamOperator<IndexChange>
    implements OneInputStreamOperator<IngestMessage, IndexChange>, BoundedOneInput {

  public static final String STAGE = "embed";

  /** Milliseconds one inference batch took on the model (histogram over the last 500 batches). */
  public static final String METRIC_BATCH_TIME = "inferenceBatchTimeMs";

  /** The latest batch's inference time in milliseconds (gauge). */
  public static final String METRIC_LAST_BATCH_TIME = "lastInferenceBatchTimeMs";

  /** Images in the latest inference batch (gauge). */
  public static final String METRIC_LAST_BATCH_SIZE = "lastInferenceBatchSize";

  /** Deletions handed on to the sink, each after the images before it. */
  public static final String METRIC_DELETIONS_PASSED = "deletionsPassed";

  private static final int HISTOGRAM_WINDOW = 500;

  private final EmbedSettings settings;
  private final OutputTag<DeadLetter> deadLetters;
  private final Encoder.Factory encoders;
  private final ImagePreparation.Factory preparations;

  private transient Encoder encoder;
  private transient EmbeddingStage<Waiting> stage;
  private transient boolean timerArmed;
  private transient Counter embedded;
  private transient Counter failed;
  private transient Counter decodeTimeouts;
  private transient Counter deletions;
  private transient Histogram batchTimes;
  private transient volatile long lastBatchMs;
  private transient volatile int lastBatchSize;
  private transient BatchFillClock fillClock;

  /** An image and when it arrived, by the processing-time clock. */
  private record Waiting(ImageToEmbed image, BatchFillClock.Stamp arrived) {}

  public EmbedOperator(EmbedSettings settings, OutputTag<DeadLetter> deadLetters) {
    this(settings, deadLetters, VitEncoder.factory(settings.modelDir()), ImagePreparation::new);
  }

  /** With a model and a per-image preparation of the caller's: fakes, ones that fail or hang. */
  EmbedOperator(
      EmbedSettings settings,
      OutputTag<DeadLetter> deadLetters,
      Encoder.Factory encoders,
      ImagePreparation.Factory preparations) {
    this.settings = settings;
    this.deadLetters = deadLetters;
    this.encoders = encoders;
    this.preparations = preparations;
  }

  @Override
  public void open() throws Exception {
    super.open();
    encoder = encoders.open(SlotDevice.candidates(getRuntimeContext()));
    var preparation = preparations.create(encoder.manifest(), settings);
    stage =
        new EmbeddingStage<>(
            encoder,
            (Waiting w) -> preparation.prepare(w.image()),
            SharedDecodePool.get(),
            settings.images().decodeTimeout());
    fillClock = new BatchFillClock();
    embedded = getMetricGroup().counter("imagesEmbedded");
    failed = getMetricGroup().counter("imagesDeadLettered");
    decodeTimeouts = getMetricGroup().counter("decodeTimeouts");
    deletions = getMetricGroup().counter(METRIC_DELETIONS_PASSED);
    batchTimes =
        getMetricGroup()
            .histogram(METRIC_BATCH_TIME, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    getMetricGroup().gauge(METRIC_LAST_BATCH_TIME, () -> lastBatchMs);
    getMetricGroup().gauge(METRIC_LAST_BATCH_SIZE, () -> lastBatchSize);
    LOG.info(
        "Embedding with {} on {}, batches of {}",
        encoder.manifest().modelId(),
        encoder.device(),
        settings.batchSize());
  }

  @Override
  public void processElement(StreamRecord<IngestMessage> element) throws Exception {
    if (element.getValue() instanceof Deletion deletion) {
      flush();
      output.collect(new StreamRecord<>(deletion));
      deletions.inc();
      return;
    }
    ImageToEmbed image = (ImageToEmbed) element.getValue();
    BatchFillClock.Stamp arrived = fillClock.stamp(now());
    // Only the decode holds the image bytes; the record waiting for its batch keeps the rest.
    stage.submit(new Waiting(image.withoutImage(), arrived), new Waiting(image, arrived));
    // Infer the oldest batch only once the next one is decoding behind it.
    if (stage.pending() >= 2 * settings.batchSize()) {
      embed(settings.batchSize());
    }
    armTimer();
  }

  /** Flushes once the oldest image has waited {@code maxDelayMs} for its batch to fill. */
  private void armTimer() {
    Waiting oldest = stage.oldest();
    if (oldest == null || timerArmed) {
      return;
    }
    long remainingMs =
        Math.max(0, settings.maxDelayMs() - fillClock.waitedMs(oldest.arrived(), now()));
    timerArmed = true;
    var unused =
        getProcessingTimeService()
            .registerTimer(
                now() + remainingMs,
                time -> {
                  timerArmed = false;
                  Waiting first = stage.oldest();
                  if (first != null
                      && fillClock.waitedMs(first.arrived(), now()) >= settings.maxDelayMs()) {
                    flush();
                  }
                  armTimer();
                });
  }

  private long now() {
    return getProcessingTimeService().getCurrentProcessingTime();
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush();
  }

  @Override
  public void endInput() throws Exception {
    flush();
  }

  /** Embeds everything pending, in batches. */
  private void flush() throws Exception {
    while (stage.pending() > 0) {
      embed(settings.batchSize());
    }
  }

  /** Embeds the oldest {@code count} pending images as one batch. */
  private void embed(int count) throws Exception {
    List<Decoded<Waiting>> batch = stage.takeOldest(count);
    int inferred = (int) batch.stream().filter(Decoded::ok).count();
    long started = now();
    long startedNanos = System.nanoTime();
    List<Embedded<Waiting>> results = stage.embed(batch);
    if (inferred > 0) {
      fillClock.inferred(now() - started);
      lastBatchMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
      lastBatchSize = inferred;
      batchTimes.update(lastBatchMs);
    }
    long embeddedAt = now();
    for (Embedded<Waiting> e : results) {
      ImageToEmbed image = e.input().image();
      if (e.result() instanceof EmbedResult.Vector v) {
        output.collect(
            new StreamRecord<>(
                new EmbeddedImage(
                    image, v.vector(), v.thumbnail(), encoder.manifest().modelId(), embeddedAt)));
        embedded.inc();
      } else if (e.result() instanceof EmbedResult.Failure f) {
        if (f.reason() == Reason.TIMEOUT) {
          decodeTimeouts.inc();
        }
        failed.inc();
        output.collect(
            deadLetters,
            new StreamRecord<>(DeadLetter.of(image.source(), STAGE, f.reason(), f.toException())));
      }
    }
  }

  @Override
  public void close() throws Exception {
    if (stage != null) {
      stage.close();
    }
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
    super.close();
  }
}
