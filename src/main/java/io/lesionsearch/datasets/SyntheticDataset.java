package io.lesionsearch.datasets;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

/**
 * A synthetic dermoscopy set in HAM10000's layout: {@code HAM10000_metadata.csv} plus 600x450 JPEGs
 * named {@code <image_id>.jpg} in {@code HAM10000_images_part_1/} (and {@code _part_2/} after 5,000
 * images, as the real set splits). Diagnoses, ages, sexes, sites and confirmation types follow
 * HAM10000's proportions; a lesion sometimes has several images, which share its metadata. The same
 * seed always gives the same files.
 */
public final class SyntheticDataset {

  public static final int WIDTH = 600;
  public static final int HEIGHT = 450;
  public static final int IMAGES_PER_FOLDER = 5_000;

  /** One image of the set, with the seeds its picture is drawn from. */
  public record Row(
      String lesionId,
      String imageId,
      Diagnosis dx,
      String dxType,
      OptionalInt age,
      String sex,
      String localization,
      long lesionSeed,
      long imageSeed) {}

  /** Called after each image is written, for progress lines on long runs. */
  public interface Progress {
    void written(int done, int total);
  }

  // HAM10000's own counts (of 10,015 images) for the categorical fields.
  private static final Weighted<String> SEX =
      new Weighted<>(new String[] {"male", "female", "unknown"}, new double[] {5406, 4552, 57});
  private static final Weighted<String> SITE =
      new Weighted<>(
          new String[] {
            "back",
            "lower extremity",
            "trunk",
            "upper extremity",
            "abdomen",
            "face",
            "chest",
            "foot",
            "unknown",
            "neck",
            "scalp",
            "hand",
            "ear",
            "genital",
            "acral"
          },
          new double[] {2192, 2077, 1404, 1118, 1022, 745, 407, 319, 234, 168, 128, 90, 56, 48, 7});
  private static final Weighted<Diagnosis> DX =
      new Weighted<>(
          Diagnosis.values(),
          Arrays.stream(Diagnosis.values()).mapToDouble(Diagnosis::ham10000Share).toArray());
  private static final Weighted<Integer> IMAGES_PER_LESION =
      new Weighted<>(new Integer[] {1, 2, 3, 4}, new double[] {74, 19, 5, 2});

  /** Above HAM10000's 0.6% so that even small sets show what a missing age looks like. */
  static final double MISSING_AGE = 0.02;

  private SyntheticDataset() {}

  /** The metadata alone, cheap to make in any number (the images are drawn from the seeds). */
  public static List<Row> rows(int count, long seed) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    Random rnd = new Random(seed);
    List<Row> rows = new ArrayList<>(count);
    int lesions = 0;
    while (rows.size() < count) {
      lesions++;
      Diagnosis dx = DX.draw(rnd);
      String lesionId = String.format("SYNL_%07d", lesions);
      String dxType = dxType(rnd, dx);
      OptionalInt age = age(rnd, dx);
      String sex = SEX.draw(rnd);
      String site = SITE.draw(rnd);
      long lesionSeed = rnd.nextLong();
      int images = Math.min(IMAGES_PER_LESION.draw(rnd), count - rows.size());
      for (int i = 0; i < images; i++) {
        String imageId = String.format("SYN_%07d", rows.size() + 1);
        rows.add(
            new Row(lesionId, imageId, dx, dxType, age, sex, site, lesionSeed, rnd.nextLong()));
      }
    }
    return rows;
  }

  /**
   * Writes {@code count} images and the metadata under {@code out}, which must not hold a dataset
   * already; returns the rows written.
   */
  public static List<Row> write(
      Path out, int count, long seed, float jpegQuality, Progress progress) throws IOException {
    Path metadata = out.resolve(Ham10000Reader.METADATA_CSV);
    if (Files.exists(metadata)) {
      throw new IOException(
          metadata + " exists already: write the synthetic set to an empty folder");
    }
    List<Row> rows = rows(count, seed);
    Files.createDirectories(out);
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      Path folder = out.resolve(imageFolder(i));
      Files.createDirectories(folder);
      Files.write(
          folder.resolve(row.imageId() + ".jpg"),
          SyntheticDermoscopy.jpeg(
              row.dx(), row.lesionSeed(), row.imageSeed(), WIDTH, HEIGHT, jpegQuality));
      progress.written(i + 1, rows.size());
    }
    // Last, so an interrupted run leaves no metadata that points at missing images.
    try (Writer w = Files.newBufferedWriter(metadata, StandardCharsets.UTF_8)) {
      w.write(String.join(",", Ham10000Reader.COLUMNS));
      w.write('\n');
      for (Row r : rows) {
        String age =
            r.age().isPresent() ? r.age().getAsInt() + ".0" : ""; // HAM10000 writes ages as floats
        w.write(
            String.join(
                ",",
                r.lesionId(),
                r.imageId(),
                r.dx().code(),
                r.dxType(),
                age,
                r.sex(),
                r.localization()));
        w.write('\n');
      }
    }
    return rows;
  }

  /** HAM10000_images_part_1 for the first 5,000 images, part_2 for the next, and so on. */
  public static String imageFolder(int index) {
    return "HAM10000_images_part_" + (index / IMAGES_PER_FOLDER + 1);
  }

  /** Naevi are mostly confirmed by follow-up, the rest mostly by histopathology, as in HAM10000. */
  private static String dxType(Random rnd, Diagnosis dx) {
    String[] types = {"histo", "follow_up", "consensus", "confocal"};
    double[] weights =
        switch (dx) {
          case NV -> new double[] {33, 55, 11, 1};
          case DF, VASC -> new double[] {50, 0, 50, 0};
          default -> new double[] {88, 0, 9, 3};
        };
    return new Weighted<>(types, weights).draw(rnd);
  }

  /** Ages in 5-year steps from 0 to 85; naevi younger, carcinomas and keratoses older. */
  private static OptionalInt age(Random rnd, Diagnosis dx) {
    if (rnd.nextDouble() < MISSING_AGE) {
      return OptionalInt.empty();
    }
    double mean =
        switch (dx) {
          case NV -> 47;
          case MEL -> 61;
          case BKL -> 59;
          case BCC, AKIEC -> 67;
          case DF, VASC -> 52;
        };
    long years = Math.round((mean + 15 * rnd.nextGaussian()) / 5) * 5;
    return OptionalInt.of((int) Math.max(0, Math.min(85, years)));
  }

  /** Draws values in proportion to their weights. */
  private static final class Weighted<T> {
    private final T[] values;
    private final double[] cumulative;

    Weighted(T[] values, double[] weights) {
      this.values = values;
      this.cumulative = new double[weights.length];
      double sum = 0;
      for (int i = 0; i < weights.length; i++) {
        sum += weights[i];
        cumulative[i] = sum;
      }
      for (int i = 0; i < weights.length; i++) {
        cumulative[i] /= sum;
      }
    }

    T draw(Random rnd) {
      double u = rnd.nextDouble();
      for (int i = 0; i < cumulative.length; i++) {
        if (u < cumulative[i]) {
          return values[i];
        }
      }
      return values[values.length - 1];
    }
  }
}
