package io.lesionsearch.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ham10000ReaderTest {

  private static final Path SAMPLE = Path.of("datasets/sample");

  @Test
  void theShippedSampleReadsCleanWithEveryDiagnosisAndAMissingAge() throws Exception {
    DatasetScan scan = Ham10000Reader.read(SAMPLE);
    assertTrue(scan.clean(), scan.problemSummary(10));
    assertEquals(60, scan.images().size());
    assertEquals(
        Set.of(Diagnosis.values()),
        scan.images().stream().map(LesionImage::dx).collect(Collectors.toSet()));
    assertTrue(
        scan.images().stream().anyMatch(i -> i.age().isEmpty()), "the sample shows a missing age");
    assertTrue(scan.images().stream().allMatch(i -> Files.isRegularFile(i.file())));
  }

  @Test
  void badRowsAreReportedByLineAndGoodRowsRead(@TempDir Path tmp) throws Exception {
    image(tmp.resolve("HAM10000_images_part_1"), "ISIC_0000001.jpg");
    image(tmp.resolve("HAM10000_images_part_2"), "ISIC_0000002.JPG");
    image(tmp, "ISIC_0000003.png");
    image(tmp.resolve("HAM10000_images_part_1"), "ISIC_0000004.jpg");
    image(tmp.resolve("HAM10000_images_part_1"), "ISIC_0000005.jpg");
    image(tmp.resolve("HAM10000_images_part_1"), "ISIC_0000006.jpg");
    Files.writeString(
        tmp.resolve("HAM10000_metadata.csv"),
        String.join(
            "\n",
            "lesion_id,image_id,dx,dx_type,age,sex,localization",
            "HAM_1,ISIC_0000001,mel,histo,80.0,male,scalp", // 2 good, short code
            "HAM_2,ISIC_0000002,melanocytic_Nevi,follow_up,NaN,female,back", // 3 good, HF long
            // name, age NaN
            "HAM_3,ISIC_0000003,BKL,consensus,,unknown,", // 4 good, upper case, empty age and site
            "HAM_4,ISIC_0009999,nv,histo,40,male,back", // 5 no image file
            "HAM_5,ISIC_0000004,xyz,histo,40,male,back", // 6 unknown dx
            "HAM_6,ISIC_0000005,df,histo,forty,male,back", // 7 bad age
            "", // 8 blank line, ignored
            "HAM_7,ISIC_0000006,vasc,histo,-5,male,back,extra", // 9 bad age and too many fields
            "HAM_8,ISIC_0000001,mel,histo,80.0,male,scalp", // 10 repeats line 2
            "HAM_9,,mel,histo,80.0,male,scalp")); // 11 empty image_id

    DatasetScan scan = Ham10000Reader.read(tmp);
    assertEquals(9, scan.rows(), "data rows; the blank line is not one");
    assertEquals(
        List.of("ISIC_0000001", "ISIC_0000002", "ISIC_0000003"),
        scan.images().stream().map(LesionImage::imageId).toList());
    LesionImage mel = scan.images().get(0);
    assertEquals(Diagnosis.MEL, mel.dx());
    assertEquals(OptionalInt.of(80), mel.age());
    assertEquals("scalp", mel.localization());
    assertEquals(tmp.resolve("HAM10000_images_part_1/ISIC_0000001.jpg"), mel.file());
    assertEquals(Diagnosis.NV, scan.images().get(1).dx());
    assertEquals(OptionalInt.empty(), scan.images().get(1).age(), "NaN is a missing age, not 0");
    assertEquals(
        tmp.resolve("HAM10000_images_part_2/ISIC_0000002.JPG"), scan.images().get(1).file());
    assertEquals(Diagnosis.BKL, scan.images().get(2).dx());
    assertEquals(OptionalInt.empty(), scan.images().get(2).age());
    assertEquals(null, scan.images().get(2).localization());

    Map<Long, String> problems =
        scan.problems().stream().collect(Collectors.toMap(RowProblem::line, RowProblem::toString));
    assertEquals(Set.of(5L, 6L, 7L, 9L, 10L, 11L), problems.keySet(), problems.toString());
    assertTrue(
        problems.get(5L).startsWith("line 5 (ISIC_0009999): no image file ISIC_0009999.jpg"),
        problems.get(5L));
    assertTrue(
        problems.get(6L).contains("unknown dx 'xyz'") && problems.get(6L).contains("mel/melanoma"),
        problems.get(6L));
    assertTrue(problems.get(7L).contains("bad age 'forty'"), problems.get(7L));
    assertTrue(
        problems.get(9L).contains("8 fields where the header has 7")
            && problems.get(9L).contains("bad age '-5'"),
        problems.get(9L));
    assertTrue(problems.get(10L).contains("image_id repeats line 2"), problems.get(10L));
    assertTrue(problems.get(11L).contains("image_id is empty"), problems.get(11L));
    assertTrue(
        scan.problemSummary(2).contains("6 of 9 rows")
            && scan.problemSummary(2).contains("and 4 more"),
        scan.problemSummary(2));
  }

  @Test
  void dataverseTabFileWithQuotesAndExtraColumns(@TempDir Path tmp) throws Exception {
    image(tmp.resolve("images"), "ISIC_0024306.jpg");
    Files.writeString(
        tmp.resolve("HAM10000_metadata.tab"),
        String.join(
            "\n",
            "\"lesion_id\"\t\"image_id\"\t\"dx\"\t\"dx_type\"\t\"age\"\t\"sex\"\t\"localization\"\t\"dataset\"",
            "\"HAM_0000550\"\t\"ISIC_0024306\"\t\"nv\"\t\"follow_up\"\t45\t\"male\"\t\"trunk\"\t\"vidir_molemax\"",
            ""));
    DatasetScan scan = Ham10000Reader.read(tmp);
    assertTrue(scan.clean(), scan.problemSummary(5));
    LesionImage image = scan.images().get(0);
    assertEquals("HAM_0000550", image.lesionId());
    assertEquals("trunk", image.localization());
    assertEquals(OptionalInt.of(45), image.age());
    assertEquals(Map.of("dataset", "vidir_molemax"), image.extra());
  }

  @Test
  void aTableWithoutItsKeyColumnsOrNoTableIsAnErrorNamingTheFile(@TempDir Path tmp)
      throws Exception {
    IOException none = assertThrows(IOException.class, () -> Ham10000Reader.read(tmp));
    assertTrue(
        none.getMessage().contains(tmp.toString())
            && none.getMessage().contains("HAM10000_metadata.csv"),
        none.getMessage());

    Files.writeString(
        tmp.resolve("HAM10000_metadata.csv"), "lesion,image,diagnosis\nHAM_1,ISIC_1,mel\n");
    IOException columns = assertThrows(IOException.class, () -> Ham10000Reader.read(tmp));
    assertTrue(
        columns.getMessage().contains("HAM10000_metadata.csv has no column image_id, dx"),
        columns.getMessage());

    Path elsewhere = Files.writeString(tmp.resolve("labels.csv"), "image_id,dx\n");
    assertEquals(0, Ham10000Reader.read(tmp, elsewhere).rows());
  }

  @Test
  void diagnosesMapBothWays() {
    Map<String, String> expected =
        Map.of(
            "akiec",
            "actinic_keratoses",
            "bcc",
            "basal_cell_carcinoma",
            "bkl",
            "benign_keratosis-like_lesions",
            "df",
            "dermatofibroma",
            "mel",
            "melanoma",
            "nv",
            "melanocytic_Nevi",
            "vasc",
            "vascular_lesions");
    assertEquals(7, Diagnosis.values().length);
    expected.forEach(
        (code, longName) -> {
          Diagnosis byCode = Diagnosis.parse(code).orElseThrow();
          assertEquals(longName, byCode.longName());
          assertEquals(byCode, Diagnosis.parse(longName).orElseThrow());
          assertEquals(
              code,
              Diagnosis.parse(" " + longName.toUpperCase(java.util.Locale.ROOT) + " ")
                  .orElseThrow()
                  .code());
        });
    assertTrue(Diagnosis.parse("melanocytic_nevi").isPresent());
    assertTrue(Diagnosis.parse("naevus").isEmpty());
    assertTrue(Diagnosis.parse(null).isEmpty());
  }

  private static void image(Path folder, String name) throws IOException {
    Files.createDirectories(folder);
    Files.write(folder.resolve(name), SyntheticLesionImages.jpeg(name.hashCode(), 60, 45, 0.8f));
  }
}
