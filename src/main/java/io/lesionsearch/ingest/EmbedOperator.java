package io.lesionsearch.ingest;

import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.qdrant.PointIds;

import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.embed.SharedDecodePool;
import io.lesionsearch.embed.SlotDevice;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.image.RgbImage;
import io.lesionsearch.image.Thumbnails;
import io.lesionsearch.qdrant.LesionPoint;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Embeds images in batches with the TaskManager's shared model on this slot's device. Decoding starts
 * on a thread pool as each image arrives; a full batch is inferred once the next batch is pending
 * behind it, so that batch decodes during inference. Everything pending runs when the oldest waiting
 * image has waited about {@code maxDelayMs} for its batch to fill, before every checkpoint barrier and at the end of input,
 * so no image waits forever and none is left outside a checkpoint. Images that
 * cannot be read or decoded go to the dead-letter output; the job goes on.
 */
public final class EmbedOperator extends AbstractStreamOperator<LesionPoint>
    implements OneInputStreamOperator<ImageToEmbed, LesionPoint>, BoundedOneInput {

  public static final String STAGE = "embed";
  /** The payload key of the base64 JPEG preview (see {@code --thumbnail-size}). */
  public static final String THUMBNAIL = "thumbnail";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String modelDir;
  private final long maxImageBytes;
  private final int batchSize;
  private final long maxDelayMs;
  private final OutputTag<DeadLetter> deadLetters;
  /** Longest side of the payload's JPEG preview; 0 for none. */
  private final int thumbnailSize;

  private transient VitEncoder encoder;
  private transient List<Pending> pending;
  private transient boolean timerArmed;
  private transient Counter embedded;
  private transient Counter failed;

  private transient BatchFillClock fillClock;

  private record Pending(ImageToEmbed image, CompletableFuture<Object> pixels, BatchFillClock.Stamp arrived) {}

  /** What a decode thread makes of one image: the model's input and, when asked for, the preview. */
  private record Preprocessed(float[] tensor, String thumbnail) {}

  public EmbedOperator(
      String modelDir, int batchSize, long maxDelayMs, long maxImageBytes, OutputTag<DeadLetter> deadLetters) {
    this(modelDir, batchSize, maxDelayMs, maxImageBytes, deadLetters, 0);
  }

  public EmbedOperator(String modelDir, int batchSize, long maxDelayMs, long maxImageBytes,
      OutputTag<DeadLetter> deadLetters, int thumbnailSize) {
    if (batchSize < 1 || maxDelayMs < 1) {
      throw new IllegalArgumentException("batch size and max delay must be positive: " + batchSize + ", " + maxDelayMs);
    }
    if (thumbnailSize < 0) {
      throw new IllegalArgumentException("thumbnail size must be 0 (none) or positive: " + thumbnailSize);
    }
    this.thumbnailSize = thumbnailSize;
    this.modelDir = modelDir;
    this.maxImageBytes = maxImageBytes;
    this.batchSize = batchSize;
    this.maxDelayMs = maxDelayMs;
    this.deadLetters = deadLetters;
  }

  @Override
  public void open() throws Exception {
    super.open();
    encoder = VitEncoder.open(Path.of(modelDir), SlotDevice.candidates(getRuntimeContext()));
    pending = new ArrayList<>(batchSize);
    fillClock = new BatchFillClock();
    embedded = getMetricGroup().counter("imagesEmbedded");
    failed = getMetricGroup().counter("imagesDeadLettered");
    LOG.info("Embedding with {} on {}, batches of {}", encoder.manifest().modelId(), encoder.device(), batchSize);
  }

  @Override
  public void processElement(StreamRecord<ImageToEmbed> element) throws Exception {
    ImageToEmbed image = element.getValue();
    pending.add(new Pending(image, CompletableFuture.supplyAsync(() -> preprocess(image), SharedDecodePool.get()),
        fillClock.stamp(now())));
    // Infer the oldest batch only once the next one is decoding behind it.
    if (pending.size() >= 2 * batchSize) {
      embed(batchSize);
    }
    armTimer();
  }

  /** Flushes once the oldest image has waited {@code maxDelayMs} for its batch to fill (see {@link BatchFillClock}). */
  private void armTimer() {
    if (pending.isEmpty() || timerArmed) {
      return;
    }
    long remainingMs = Math.max(0, maxDelayMs - fillClock.waitedMs(pending.get(0).arrived(), now()));
    timerArmed = true;
    getProcessingTimeService().registerTimer(now() + remainingMs, time -> {
      timerArmed = false;
      if (!pending.isEmpty() && fillClock.waitedMs(pending.get(0).arrived(), now()) >= maxDelayMs) {
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
  private void flush() throws TranslateException, IOException {
    while (!pending.isEmpty()) {
      embed(Math.min(batchSize, pending.size()));
    }
  }

  /** Embeds the oldest {@code count} pending images as one batch. */
  private void embed(int count) throws TranslateException, IOException {
    List<Pending> batch = new ArrayList<>(pending.subList(0, count));
    pending.subList(0, count).clear();
    List<float[]> pixels = new ArrayList<>(batch.size());
    List<ImageToEmbed> ok = new ArrayList<>(batch.size());
    List<String> thumbnails = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      Object result = p.pixels.join();
      if (result instanceof Preprocessed done) {
        pixels.add(done.tensor);
        thumbnails.add(done.thumbnail);
        ok.add(p.image);
      } else {
        failed.inc();
        output.collect(deadLetters, new StreamRecord<>(DeadLetter.of(p.image.source(), STAGE, (Throwable) result)));
      }
    }
    long started = now();
    List<float[]> vectors = encoder.embed(pixels);
    fillClock.inferred(now() - started);
    String now = Instant.ofEpochMilli(now()).toString();
    for (int i = 0; i < ok.size(); i++) {
      ImageToEmbed image = ok.get(i);
      output.collect(new StreamRecord<>(new LesionPoint(
          PointIds.forImageId(image.imageId()).toString(), vectors.get(i), payload(image, now, thumbnails.get(i)))));
    }
    embedded.inc(ok.size());
  }

  private byte[] payload(ImageToEmbed image, String ingestedAt, String thumbnail) throws IOException {
    ObjectNode payload = (ObjectNode) JSON.readTree(image.payloadJson());
    payload.put("ingested_at", ingestedAt);
    payload.put("model_id", encoder.manifest().modelId());
    if (thumbnail != null) {
      payload.put(THUMBNAIL, thumbnail);
    }
    return JSON.writeValueAsBytes(payload);
  }

  /** Runs on a decode thread; returns {@link Preprocessed}, or the exception that makes this image a dead letter. */
  private Object preprocess(ImageToEmbed image) {
    try {
      byte[] bytes = image.image() != null ? image.image() : read(image.imageUri());
      VitPreprocessor pre = encoder.preprocessor();
      RgbImage rgb = pre.decoder().decode(bytes); // decoded once for both the model and the preview
      return new Preprocessed(pre.normalise(pre.resize(rgb)),
          thumbnailSize > 0 ? Thumbnails.base64Jpeg(rgb, thumbnailSize) : null);
    } catch (Exception e) {
      // Unreadable URIs (unknown scheme, missing file) included: a bad record never fails the job.
      return e;
    }
  }

  /** Only regular files within the size limit: no devices or pipes that never end, no huge reads. */
  private byte[] read(String uri) throws IOException {
    Path path = uri.contains(":/") ? Path.of(URI.create(uri)) : Path.of(uri);
    if (!Files.isRegularFile(path)) {
      throw new IOException("image_uri " + uri + " is not a readable regular file");
    }
    long size = Files.size(path);
    if (size > maxImageBytes) {
      throw new IOException("image_uri " + uri + " is " + size + " bytes, over the limit of " + maxImageBytes);
    }
    return Files.readAllBytes(path);
  }

  @Override
  public void close() throws Exception {
    if (encoder != null) {
      encoder.close();
      encoder = null;
    }
    super.close();
  }
}
