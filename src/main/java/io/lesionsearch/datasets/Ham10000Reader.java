package io.lesionsearch.datasets;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Reads a dataset in HAM10000's layout, as Harvard Dataverse and Kaggle distribute it: a metadata
 * table ({@code HAM10000_metadata.csv}, or Dataverse's tab-separated {@code HAM10000_metadata.tab})
 * with columns lesion_id, image_id, dx, dx_type, age, sex, localization (further columns, such as
 * the newer {@code dataset}, are kept as extra metadata), and the images as {@code <image_id>.jpg}
 * (or .jpeg/.png) in the dataset folder or any folder directly under it (HAM10000_images_part_1,
 * HAM10000_images_part_2, ISIC test-image folders, ...).
 *
 * <p>Rows that cannot be used (no image file, unknown dx, an age that is not a number of years, a
 * repeated image_id, a malformed line) are returned as {@link RowProblem}s with their line numbers;
 * only a missing or unreadable table, or one without image_id and dx columns, is an exception.
 */
public final class Ham10000Reader {

  public static final String METADATA_CSV = "HAM10000_metadata.csv";
  public static final List<String> COLUMNS =
      List.of("lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization");
  private static final List<String> METADATA_NAMES =
      List.of(METADATA_CSV, "HAM10000_metadata.tab", "HAM10000_metadata");
  private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png");
  private static final int MAX_AGE = 130;

  private Ham10000Reader() {}

  /**
   * Finds the metadata table in {@code dataset} and the images in it and the folders directly under
   * it.
   */
  public static DatasetScan read(Path dataset) throws IOException {
    return read(dataset, findMetadata(dataset));
  }

  /** As {@link #read(Path)}, with the metadata table named (it may live anywhere). */
  public static DatasetScan read(Path dataset, Path metadata) throws IOException {
    if (!Files.isDirectory(dataset)) {
      throw new IOException(
          dataset + " is not a folder (expected a HAM10000-layout dataset folder)");
    }
    List<Path> folders = imageFolders(dataset);
    Map<String, Path> files = indexImages(folders);
    return readRows(metadata, folders, files);
  }

  static Path findMetadata(Path dataset) throws IOException {
    for (String name : METADATA_NAMES) {
      if (Files.isRegularFile(dataset.resolve(name))) {
        return dataset.resolve(name);
      }
    }
    List<Path> csvs;
    try (Stream<Path> s = Files.list(dataset)) {
      csvs =
          s.filter(
                  p ->
                      Files.isRegularFile(p)
                          && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new IOException(dataset + " cannot be listed: " + e.getMessage(), e);
    }
    if (csvs.size() == 1) {
      return csvs.get(0);
    }
    throw new IOException(
        dataset
            + " has no "
            + METADATA_CSV
            + (csvs.isEmpty() ? "" : " and several CSV files " + csvs)
            + "; name the metadata table with --metadata");
  }

  private static List<Path> imageFolders(Path dataset) throws IOException {
    List<Path> folders = new ArrayList<>();
    folders.add(dataset);
    try (Stream<Path> s = Files.list(dataset)) {
      s.filter(Files::isDirectory).sorted().forEach(folders::add);
    }
    return folders;
  }

  /**
   * Image files by name without extension. Kaggle's copy holds each image twice (upper- and
   * lower-case folder names) with identical files, so the first folder in name order wins.
   */
  private static Map<String, Path> indexImages(List<Path> folders) throws IOException {
    Map<String, Path> files = new HashMap<>();
    for (Path folder : folders) {
      try (Stream<Path> s = Files.list(folder)) {
        s.filter(Files::isRegularFile)
            .sorted()
            .forEach(
                f -> {
                  String name = f.getFileName().toString();
                  String lower = name.toLowerCase(Locale.ROOT);
                  for (String ext : IMAGE_EXTENSIONS) {
                    if (lower.endsWith(ext)) {
                      files.putIfAbsent(name.substring(0, name.length() - ext.length()), f);
                    }
                  }
                });
      }
    }
    return files;
  }

  private static DatasetScan readRows(Path metadata, List<Path> folders, Map<String, Path> files)
      throws IOException {
    if (!Files.isRegularFile(metadata)) {
      throw new IOException(
          metadata
              + " does not exist (expected the dataset's metadata table, e.g. "
              + METADATA_CSV
              + ")");
    }
    CsvMapper mapper = new CsvMapper();
    CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(separator(metadata));
    List<LesionImage> images = new ArrayList<>();
    List<RowProblem> problems = new ArrayList<>();
    Map<String, Long> seen = new HashMap<>();
    int rows = 0;
    try (Reader reader = Files.newBufferedReader(metadata, StandardCharsets.UTF_8);
        MappingIterator<List<String>> it =
            mapper
                .readerForListOf(String.class)
                .with(schema)
                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                .readValues(reader)) {
      List<String> header = it.hasNextValue() ? it.nextValue() : List.of();
      Map<String, Integer> column = columns(metadata, header);
      while (true) {
        long line = it.getCurrentLocation().getLineNr();
        List<String> cells;
        try {
          if (!it.hasNextValue()) {
            break;
          }
          cells = it.nextValue();
        } catch (RuntimeException e) {
          problems.add(
              new RowProblem(
                  line,
                  null,
                  "unreadable line, and the rest of the file was not read: " + e.getMessage()));
          rows++;
          break;
        }
        if (cells.size() == 1 && cells.get(0).isBlank()) {
          continue; // a blank line
        }
        rows++;
        Row row = new Row(line, cells, column, header);
        String problem = row.check(files, seen);
        if (problem != null) {
          problems.add(new RowProblem(line, row.text("image_id"), problem));
        } else {
          images.add(row.toImage(files.get(row.text("image_id"))));
        }
      }
    } catch (IOException e) {
      throw new IOException(metadata + " cannot be read: " + e.getMessage(), e);
    }
    return new DatasetScan(metadata, folders, rows, images, problems);
  }

  /** Dataverse serves the table tab-separated as .tab; the first line tells either way. */
  private static char separator(Path metadata) throws IOException {
    if (metadata.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tab")) {
      return '\t';
    }
    try (BufferedReader r = Files.newBufferedReader(metadata, StandardCharsets.UTF_8)) {
      String first = r.readLine();
      return first != null && first.indexOf('\t') >= 0 && first.indexOf(',') < 0 ? '\t' : ',';
    }
  }

  private static Map<String, Integer> columns(Path metadata, List<String> header)
      throws IOException {
    Map<String, Integer> column = new LinkedHashMap<>();
    for (int i = 0; i < header.size(); i++) {
      column.put(header.get(i).replace("\uFEFF", "").strip().toLowerCase(Locale.ROOT), i);
    }
    List<String> missing = Stream.of("image_id", "dx").filter(c -> !column.containsKey(c)).toList();
    if (!missing.isEmpty()) {
      throw new IOException(
          metadata
              + " has no column "
              + String.join(", ", missing)
              + " in its header line "
              + header
              + " (expected HAM10000's "
              + String.join(",", COLUMNS)
              + ")");
    }
    return column;
  }

  /** One data line, with its checks. */
  private static final class Row {
    private final long line;
    private final List<String> cells;
    private final Map<String, Integer> column;
    private final int width;
    private Diagnosis dx;
    private OptionalInt age = OptionalInt.empty();

    Row(long line, List<String> cells, Map<String, Integer> column, List<String> header) {
      this.line = line;
      this.cells = cells;
      this.column = column;
      this.width = header.size();
    }

    String text(String name) {
      Integer i = column.get(name);
      if (i == null || i >= cells.size()) {
        return null;
      }
      String v = cells.get(i).strip();
      return v.isEmpty() ? null : v;
    }

    /** Everything wrong with the row, joined, or null when it is usable. */
    String check(Map<String, Path> files, Map<String, Long> seen) {
      List<String> wrong = new ArrayList<>();
      if (cells.size() != width) {
        wrong.add(cells.size() + " fields where the header has " + width);
      }
      String imageId = text("image_id");
      if (imageId == null) {
        wrong.add("image_id is empty");
      } else {
        Long first = seen.putIfAbsent(imageId, line);
        if (first != null) {
          wrong.add("image_id repeats line " + first);
        } else if (!files.containsKey(imageId)) {
          wrong.add(
              "no image file "
                  + imageId
                  + ".jpg (or .jpeg/.png) in the dataset folder or a folder under it");
        }
      }
      String dxText = text("dx");
      dx = Diagnosis.parse(dxText).orElse(null);
      if (dx == null) {
        wrong.add(
            dxText == null
                ? "dx is empty"
                : "unknown dx '" + dxText + "' (expected one of " + Diagnosis.accepted() + ")");
      }
      String ageText = text("age");
      if (ageText != null && !ageText.equalsIgnoreCase("nan")) {
        try {
          double years = Double.parseDouble(ageText);
          if (years < 0 || years > MAX_AGE || years != Math.rint(years)) {
            wrong.add(
                "bad age '"
                    + ageText
                    + "' (expected whole years 0.."
                    + MAX_AGE
                    + ", or empty/NaN when unknown)");
          } else {
            age = OptionalInt.of((int) years);
          }
        } catch (NumberFormatException e) {
          wrong.add(
              "bad age '"
                  + ageText
                  + "' (expected whole years 0.."
                  + MAX_AGE
                  + ", or empty/NaN when unknown)");
        }
      }
      return wrong.isEmpty() ? null : String.join("; ", wrong);
    }

    LesionImage toImage(Path file) {
      Map<String, String> extra = new LinkedHashMap<>();
      column.forEach(
          (name, i) -> {
            String v = text(name);
            if (!COLUMNS.contains(name) && v != null && !name.isEmpty()) {
              extra.put(name, v);
            }
          });
      return new LesionImage(
          text("image_id"),
          text("lesion_id"),
          dx,
          text("dx_type"),
          age,
          text("sex"),
          text("localization"),
          java.util.Collections.unmodifiableMap(extra),
          file);
    }
  }
}
