package io.lesionsearch.evaluate;

import ai.djl.Device;
import io.lesionsearch.datasets.LesionImage;
import io.lesionsearch.embed.EmbedResult;
import io.lesionsearch.embed.EmbeddingStage;
import io.lesionsearch.embed.ImageBytesPreparation;
import io.lesionsearch.embed.ModelLoadException;
import io.lesionsearch.embed.Preparation;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.ImageLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A dataset's images embedded with a model, the way {@code embed} and the ingest job do it (same
 * decoding, preprocessing and encoder), labelled with their lesion and HAM10000 dx code.
 */
public final class DatasetVectors {

  private DatasetVectors() {}

  public static Loaded embed(
      List<LesionImage> images,
      Path model,
      Device device,
      int batch,
      EvaluationSettings.Progress progress)
      throws ModelLoadException, InterruptedException, ai.djl.translate.TranslateException {
    List<LabelledVector> points = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try (VitEncoder encoder = VitEncoder.open(model, device);
        EmbeddingStage<LesionImage> stage =
            new EmbeddingStage<>(
                encoder,
                readingFiles(new ImageBytesPreparation(encoder.manifest(), new ImageDecoder(), 0)),
                pool,
                ImageLimits.DEFAULT_DECODE_TIMEOUT)) {
      stage.embedAll(
          images.iterator(),
          batch,
          embedded -> {
            LesionImage image = embedded.input();
            if (embedded.result() instanceof EmbedResult.Vector v) {
              points.add(
                  new LabelledVector(
                      image.imageId(), image.lesionId(), image.dx().code(), v.vector()));
            } else if (embedded.result() instanceof EmbedResult.Failure f) {
              problems.add(
                  image.imageId() + " (" + image.file() + "): " + f.reason() + ", " + f.message());
            }
            int done = points.size() + problems.size();
            if (done % 100 == 0 || done == images.size()) {
              progress.advanced("images embedded", done, images.size());
            }
          });
    } finally {
      pool.shutdownNow();
    }
    return new Loaded(points, problems);
  }

  private static Preparation<LesionImage> readingFiles(ImageBytesPreparation images) {
    return image -> {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(image.file());
      } catch (IOException e) {
        throw new ImageDecodeException(
            ImageDecodeException.Reason.UNREADABLE, "cannot read " + image.file() + ": " + e, e);
      }
      return images.prepare(bytes);
    };
  }
}
