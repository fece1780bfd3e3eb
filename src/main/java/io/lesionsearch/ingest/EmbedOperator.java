package io.lesionsearch.ingest;

import io.lesionsearch.embed.SharedDecodePool;
import io.lesionsearch.embed.SlotDevice;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecodeException.Reason;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.payload.LesionPayload;
import io.qdrant.client.grpc.Points.PointStruct;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Embeds images in batches with the TaskManager's shared model on this slot's device. Decoding starts
 * on a thread pool as each image arrives; a full batch is inferred once the next batch is pending
 * behind it, so that batch decodes during inference. Everything pending runs when the oldest waiting
 * image has waited about {@code maxDelayMs} for its batch to fill, before every checkpoint barrier and
 * at the end of input, so no image waits forever and none is left outside a checkpoint.
 *
 * <p>What goes wrong with one image stays with that image: a file it may not read, bytes that are no
 * image, an image too large for the pixel limits, a decode that throws anything short of a broken
 * JVM (a stack overflow or an allocation that failed included), or one that takes longer than the
 * decode timeout - each makes that image a dead letter, and the job goes on.
 */
public final class EmbedOperator extends AbstractStreamOperator<PointStruct>
    implements OneInputStreamOperator<ImageToEmbed, PointStruct>, BoundedOneInput {

  public static final String STAGE = "embed";
  /** The payload key of the base64 JPEG preview (see {@code --thumbnail-size}). */
  public static final String THUMBNAIL = LesionPayload.THUMBNAIL;
  /** Milliseconds one inference batch took on the model (histogram over the last 500 batches). */
  public static final String METRIC_BATCH_TIME = "inferenceBatchTimeMs";
  /** The latest batch's inference time in milliseconds (gauge). */
  public static final String METRIC_LAST_BATCH_TIME = "lastInferenceBatchTimeMs";
  /** Images in the latest inference batch (gauge). */
  public static final String METRIC_LAST_BATCH_SIZE = "lastInferenceBatchSize";
  private static final int HISTOGRAM_WINDOW = 500;

  private final EmbedSettings settings;
  private final OutputTag<DeadLetter> deadLetters;
  private final ImagePreparation.Factory preparations;

  private transient VitEncoder encoder;
  private transient ImagePreparation preparation;
  private transient List<Pending> pending;
  private transient boolean timerArmed;
  private transient Counter embedded;
  private transient Counter failed;
  private transient Counter decodeTimeouts;
  private transient Histogram batchTimes;
  private transient volatile long lastBatchMs;
  private transient volatile int lastBatchSize;

  private transient BatchFillClock fillClock;

  /** @param prepared the decode's result: {@link ImagePreparation.Prepared}, or the Throwable that makes it a dead letter */
  private record Pending(ImageToEmbed image, Future<Object> prepared, long submittedNanos, BatchFillClock.Stamp arrived) {}

  public EmbedOperator(EmbedSettings settings, OutputTag<DeadLetter> deadLetters) {
    this(settings, deadLetters, ImagePreparation::standard);
  }

  EmbedOperator(EmbedSettings settings, OutputTag<DeadLetter> deadLetters, ImagePreparation.Factory preparations) {
    this.settings = settings;
    this.deadLetters = deadLetters;
    this.preparations = preparations;
  }

  @Override
  public void open() throws Exception {
    super.open();
    encoder = VitEncoder.open(Path.of(settings.modelDir()), SlotDevice.candidates(getRuntimeContext()));
    VitPreprocessor pre = encoder.preprocessor();
    preparation = preparations.create(pre, settings.images().decoder(),
        new ImageFiles(settings.imageRoots(), settings.images().maxBytes()), settings.thumbnailSize());
    pending = new ArrayList<>(settings.batchSize());
    fillClock = new BatchFillClock();
    embedded = getMetricGroup().counter("imagesEmbedded");
    failed = getMetricGroup().counter("imagesDeadLettered");
    decodeTimeouts = getMetricGroup().counter("decodeTimeouts");
    batchTimes = getMetricGroup().histogram(METRIC_BATCH_TIME, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    getMetricGroup().gauge(METRIC_LAST_BATCH_TIME, () -> lastBatchMs);
    getMetricGroup().gauge(METRIC_LAST_BATCH_SIZE, () -> lastBatchSize);
    LOG.info("Embedding with {} on {}, batches of {}", encoder.manifest().modelId(), encoder.device(), settings.batchSize());
  }

  @Override
  public void processElement(StreamRecord<ImageToEmbed> element) throws Exception {
    ImageToEmbed image = element.getValue();
    Future<Object> prepared = SharedDecodePool.get().submit(() -> prepare(image));
    pending.add(new Pending(image, prepared, System.nanoTime(), fillClock.stamp(now())));
    // Infer the oldest batch only once the next one is decoding behind it.
    if (pending.size() >= 2 * settings.batchSize()) {
      embed(settings.batchSize());
    }
    armTimer();
  }

  /** Runs on a decode thread: never throws, so that no failure of one image reaches the task. */
  private Object prepare(ImageToEmbed image) {
    try {
      return preparation.prepare(image);
    } catch (Exception | StackOverflowError | OutOfMemoryError e) {
      // Errors of one image's decode (a recursion too deep, an allocation too large) leave the JVM
      // able to go on; anything else that breaks it (an InternalError, a LinkageError) is not caught.
      return e;
    }
  }

  /** Flushes once the oldest image has waited {@code maxDelayMs} for its batch to fill (see {@link BatchFillClock}). */
  private void armTimer() {
    if (pending.isEmpty() || timerArmed) {
      return;
    }
    long remainingMs = Math.max(0, settings.maxDelayMs() - fillClock.waitedMs(pending.get(0).arrived(), now()));
    timerArmed = true;
    getProcessingTimeService().registerTimer(now() + remainingMs, time -> {
      timerArmed = false;
      if (!pending.isEmpty() && fillClock.waitedMs(pending.get(0).arrived(), now()) >= settings.maxDelayMs()) {
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
    while (!pending.isEmpty()) {
      embed(Math.min(settings.batchSize(), pending.size()));
    }
  }

  /** Embeds the oldest {@code count} pending images as one batch. */
  private void embed(int count) throws Exception {
    List<Pending> batch = new ArrayList<>(pending.subList(0, count));
    pending.subList(0, count).clear();
    List<float[]> pixels = new ArrayList<>(batch.size());
    List<ImageToEmbed> ok = new ArrayList<>(batch.size());
    List<String> thumbnails = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      Object result = await(p);
      if (result instanceof ImagePreparation.Prepared done) {
        pixels.add(done.tensor());
        thumbnails.add(done.thumbnail());
        ok.add(p.image());
      } else {
        failed.inc();
        output.collect(deadLetters, new StreamRecord<>(DeadLetter.of(p.image().source(), STAGE, (Throwable) result)));
      }
    }
    if (ok.isEmpty()) {
      return;
    }
    long started = now();
    long startedNanos = System.nanoTime();
    List<float[]> vectors = encoder.embed(pixels);
    fillClock.inferred(now() - started);
    lastBatchMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    lastBatchSize = pixels.size();
    batchTimes.update(lastBatchMs);
    long now = now();
    for (int i = 0; i < ok.size(); i++) {
      output.collect(new StreamRecord<>(LesionPoints.toPoint(
          new EmbeddedImage(ok.get(i), vectors.get(i), thumbnails.get(i), encoder.manifest().modelId(), now))));
    }
    embedded.inc(ok.size());
  }

  /** The decode's result, or the reason it has none; a decode past its timeout is interrupted and given up. */
  private Object await(Pending p) throws InterruptedException {
    long timeoutNanos = settings.images().decodeTimeout().toNanos();
    long leftNanos = p.submittedNanos() + timeoutNanos - System.nanoTime();
    try {
      return p.prepared().get(Math.max(0, leftNanos), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      p.prepared().cancel(true);
      decodeTimeouts.inc();
      return new ImageDecodeException(Reason.TIMEOUT, "reading and decoding the image took longer than "
          + settings.images().decodeTimeout().toMillis() + " ms (--decode-timeout-ms)");
    } catch (ExecutionException e) {
      return e.getCause(); // prepare() returns its failures, so only the pool itself gets here
    }
  }

  @Override
  public void close() throws Exception {
    if (pending != null) {
      pending.forEach(p -> p.prepared().cancel(true));
    }
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
    super.close();
  }
}
