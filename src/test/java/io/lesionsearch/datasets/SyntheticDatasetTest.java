package io.lesionsearch.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticDatasetTest {

  @Test
  void theSameSeedWritesTheSameFilesAndAnotherSeedOtherFiles(@TempDir Path tmp) throws Exception {
    SyntheticDataset.write(tmp.resolve("a"), 8, 3, 0.8f, (done, total) -> {});
    SyntheticDataset.write(tmp.resolve("b"), 8, 3, 0.8f, (done, total) -> {});
    SyntheticDataset.write(tmp.resolve("c"), 8, 4, 0.8f, (done, total) -> {});
    List<Path> files = files(tmp.resolve("a"));
    assertEquals(9, files.size(), "8 images and the metadata: " + files);
    for (Path f : files) {
      assertArrayEquals(
          Files.readAllBytes(tmp.resolve("a").resolve(f)),
          Files.readAllBytes(tmp.resolve("b").resolve(f)),
          f.toString());
    }
    assertNotEquals(
        Files.readString(tmp.resolve("a/HAM10000_metadata.csv")),
        Files.readString(tmp.resolve("c/HAM10000_metadata.csv")));
  }

  @Test
  void aWrittenSetReadsBackCleanInHam10000Layout(@TempDir Path tmp) throws Exception {
    List<SyntheticDataset.Row> rows = SyntheticDataset.write(tmp, 12, 5, 0.8f, (done, total) -> {});
    assertEquals(
        "lesion_id,image_id,dx,dx_type,age,sex,localization",
        Files.readAllLines(tmp.resolve("HAM10000_metadata.csv")).get(0));
    DatasetScan scan = Ham10000Reader.read(tmp);
    assertTrue(scan.clean(), scan.problemSummary(10));
    assertEquals(12, scan.images().size());
    for (int i = 0; i < rows.size(); i++) {
      SyntheticDataset.Row row = rows.get(i);
      LesionImage image = scan.images().get(i);
      assertEquals(row.imageId(), image.imageId());
      assertEquals(row.dx(), image.dx());
      assertEquals(row.age(), image.age());
      assertEquals(
          tmp.resolve("HAM10000_images_part_1").resolve(row.imageId() + ".jpg"), image.file());
      BufferedImage decoded = ImageIO.read(image.file().toFile());
      assertEquals(600, decoded.getWidth());
      assertEquals(450, decoded.getHeight());
    }
    IOException again =
        assertThrows(
            IOException.class, () -> SyntheticDataset.write(tmp, 3, 5, 0.8f, (d, t) -> {}));
    assertTrue(again.getMessage().contains("exists already"), again.getMessage());
  }

  @Test
  void metadataFollowsHam10000Proportions() {
    List<SyntheticDataset.Row> rows = SyntheticDataset.rows(20_000, 42);
    assertEquals(20_000, rows.size());
    Map<Diagnosis, Long> perDx =
        rows.stream()
            .collect(
                Collectors.groupingBy(
                    SyntheticDataset.Row::dx,
                    () -> new EnumMap<>(Diagnosis.class),
                    Collectors.counting()));
    Map<Diagnosis, Double> expected =
        Map.of(
            Diagnosis.AKIEC,
            0.033,
            Diagnosis.BCC,
            0.051,
            Diagnosis.BKL,
            0.11,
            Diagnosis.DF,
            0.011,
            Diagnosis.MEL,
            0.111,
            Diagnosis.NV,
            0.67,
            Diagnosis.VASC,
            0.014);
    expected.forEach(
        (dx, share) ->
            assertEquals(share, perDx.getOrDefault(dx, 0L) / 20_000.0, 0.015, dx.code()));

    long missingAge = rows.stream().filter(r -> r.age().isEmpty()).count();
    assertTrue(missingAge > 100 && missingAge < 800, "about 2% of ages missing, got " + missingAge);
    rows.stream()
        .filter(r -> r.age().isPresent())
        .mapToInt(r -> r.age().getAsInt())
        .forEach(age -> assertTrue(age >= 0 && age <= 85 && age % 5 == 0, "age " + age));
    assertEquals(Set.of("male", "female", "unknown"), distinct(rows, SyntheticDataset.Row::sex));
    assertEquals(
        Set.of(
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
            "acral"),
        distinct(rows, SyntheticDataset.Row::localization));
    assertEquals(
        Set.of("histo", "follow_up", "consensus", "confocal"),
        distinct(rows, SyntheticDataset.Row::dxType));

    Map<String, List<SyntheticDataset.Row>> perLesion =
        rows.stream().collect(Collectors.groupingBy(SyntheticDataset.Row::lesionId));
    long multi = perLesion.values().stream().filter(l -> l.size() > 1).count();
    assertTrue(
        multi > perLesion.size() / 10,
        "some lesions have several images: " + multi + " of " + perLesion.size());
    for (List<SyntheticDataset.Row> lesion : perLesion.values()) {
      SyntheticDataset.Row first = lesion.get(0);
      for (SyntheticDataset.Row r : lesion) {
        assertEquals(
            List.of(first.dx(), first.age(), first.sex(), first.localization(), first.lesionSeed()),
            List.of(r.dx(), r.age(), r.sex(), r.localization(), r.lesionSeed()),
            "one lesion, one set of metadata");
      }
    }
    assertEquals(20_000, rows.stream().map(SyntheticDataset.Row::imageId).distinct().count());
    assertEquals("HAM10000_images_part_1", SyntheticDataset.imageFolder(4_999));
    assertEquals("HAM10000_images_part_2", SyntheticDataset.imageFolder(5_000));
  }

  /**
   * The diagnoses must look different: a nearest-centroid classifier on simple colour and area
   * measures, leave-one-out over 6 lesions of each of the 7 diagnoses, must name most of them right
   * (chance is 1/7).
   */
  @Test
  void diagnosesDifferVisually() {
    int perClass = 6;
    Map<Diagnosis, List<double[]>> features = new EnumMap<>(Diagnosis.class);
    for (Diagnosis dx : Diagnosis.values()) {
      for (int i = 0; i < perClass; i++) {
        features
            .computeIfAbsent(dx, d -> new ArrayList<>())
            .add(features(SyntheticDermoscopy.render(dx, 100 + i, 200 + i, 300, 225)));
      }
    }
    standardise(features.values().stream().flatMap(List::stream).toList());
    int right = 0;
    for (Diagnosis dx : Diagnosis.values()) {
      for (int i = 0; i < perClass; i++) {
        double[] probe = features.get(dx).get(i);
        Diagnosis best = null;
        double bestDistance = Double.MAX_VALUE;
        for (Diagnosis candidate : Diagnosis.values()) {
          double[] centroid = new double[probe.length];
          int n = 0;
          for (int j = 0; j < perClass; j++) {
            if (candidate == dx && j == i) {
              continue;
            }
            n++;
            double[] f = features.get(candidate).get(j);
            for (int k = 0; k < f.length; k++) {
              centroid[k] += f[k];
            }
          }
          double distance = 0;
          for (int k = 0; k < probe.length; k++) {
            distance += Math.pow(probe[k] - centroid[k] / n, 2);
          }
          if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
          }
        }
        right += best == dx ? 1 : 0;
      }
    }
    int total = perClass * Diagnosis.values().length;
    assertTrue(
        right >= total * 0.8, right + " of " + total + " images were nearest their own diagnosis");
  }

  @Test
  void aLesionPhotographedTwiceKeepsItsShapeButNotItsPixels() {
    BufferedImage a = SyntheticDermoscopy.render(Diagnosis.MEL, 9, 1, 200, 150);
    BufferedImage b = SyntheticDermoscopy.render(Diagnosis.MEL, 9, 2, 200, 150);
    BufferedImage other = SyntheticDermoscopy.render(Diagnosis.MEL, 10, 1, 200, 150);
    assertFalse(java.util.Arrays.equals(pixels(a), pixels(b)));
    double same = darkShare(a) - darkShare(b);
    double different = darkShare(a) - darkShare(other);
    assertTrue(Math.abs(same) < 0.03, "two shots of one lesion cover about the same area: " + same);
    assertTrue(
        Math.abs(different) > Math.abs(same),
        "another lesion differs more: " + different + " vs " + same);
  }

  /**
   * What sets the lesion apart, not the skin around it (skin tone varies within every diagnosis):
   * over the pixels far from the border's mean colour, their mean colour, brightness spread, the
   * shares that are near-black, whitish, red and blue-grey, and the share of the image they cover.
   */
  private static double[] features(BufferedImage img) {
    // Inside the dermoscope's circle only (its dark corners are not lesion); skin = the median
    // colour
    // on a ring near that circle's edge, which a large lesion may cross without moving the median.
    double cx = img.getWidth() / 2.0;
    double cy = img.getHeight() / 2.0;
    double reach = 0.38 * Math.hypot(img.getWidth(), img.getHeight());
    List<int[]> ring = new ArrayList<>();
    for (int a = 0; a < 360; a += 2) {
      int x = (int) (cx + reach * Math.cos(Math.toRadians(a)));
      int y = (int) (cy + reach * Math.sin(Math.toRadians(a)));
      if (x >= 0 && y >= 0 && x < img.getWidth() && y < img.getHeight()) {
        int rgb = img.getRGB(x, y);
        ring.add(new int[] {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255});
      }
    }
    double[] skin = new double[3];
    for (int c = 0; c < 3; c++) {
      final int channel = c;
      skin[c] = ring.stream().mapToInt(p -> p[channel]).sorted().toArray()[ring.size() / 2];
    }
    double[] f = new double[9];
    double lumSq = 0;
    int lesion = 0;
    int n = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        if (Math.hypot(x - cx, y - cy) > reach) {
          continue;
        }
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 255;
        int g = (rgb >> 8) & 255;
        int b = rgb & 255;
        n++;
        if (Math.abs(r - skin[0]) + Math.abs(g - skin[1]) + Math.abs(b - skin[2]) < 60) {
          continue;
        }
        lesion++;
        double lum = (r + g + b) / 3.0;
        f[0] += r;
        f[1] += g;
        f[2] += b;
        f[3] += lum;
        lumSq += lum * lum;
        f[4] += lum < 60 ? 1 : 0;
        f[5] += lum > 200 ? 1 : 0;
        f[6] += r > g + 80 ? 1 : 0;
        f[7] += b > r - 10 ? 1 : 0;
      }
    }
    for (int i = 0; i < 8; i++) {
      f[i] /= Math.max(1, lesion);
    }
    f[3] = Math.sqrt(Math.max(0, lumSq / Math.max(1, lesion) - f[3] * f[3]));
    f[8] = (double) lesion / n;
    return f;
  }

  /**
   * Each feature scaled to unit spread over all images, so none dominates the distance by its
   * units.
   */
  private static void standardise(List<double[]> all) {
    for (int k = 0; k < all.get(0).length; k++) {
      double mean = 0;
      for (double[] f : all) {
        mean += f[k] / all.size();
      }
      double var = 0;
      for (double[] f : all) {
        var += (f[k] - mean) * (f[k] - mean) / all.size();
      }
      double sd = Math.sqrt(var) + 1e-12;
      for (double[] f : all) {
        f[k] = (f[k] - mean) / sd;
      }
    }
  }

  private static double darkShare(BufferedImage img) {
    int dark = 0;
    int n = 0;
    for (int y = 20; y < img.getHeight() - 20; y++) {
      for (int x = 30; x < img.getWidth() - 30; x++) {
        int rgb = img.getRGB(x, y);
        dark += (((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255)) < 360 ? 1 : 0;
        n++;
      }
    }
    return (double) dark / n;
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  private static <T> Set<T> distinct(
      List<SyntheticDataset.Row> rows, java.util.function.Function<SyntheticDataset.Row, T> field) {
    return new HashSet<>(rows.stream().map(field).toList());
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
    }
  }
}
