package io.lesionsearch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The JPEG files a benchmark times, read from or written to a folder the peer can read too. */
public final class JpegFolder {

  private JpegFolder() {}

  /** The folder's *.jpg and *.jpeg files, by name; fails when there are none. */
  public static List<byte[]> read(Path folder) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(folder)) {
      files = list.filter(JpegFolder::isJpeg).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IOException("no *.jpg or *.jpeg files in " + folder);
    }
    List<byte[]> jpegs = new ArrayList<>(files.size());
    for (Path file : files) {
      jpegs.add(Files.readAllBytes(file));
    }
    return jpegs;
  }

  /** Writes the images to a new temporary folder as 0000.jpg, 0001.jpg, ... */
  public static Path write(List<byte[]> jpegs) throws IOException {
    Path folder = Files.createTempDirectory("bench-jpegs-");
    for (int i = 0; i < jpegs.size(); i++) {
      Files.write(folder.resolve(String.format(Locale.ROOT, "%04d.jpg", i)), jpegs.get(i));
    }
    return folder;
  }

  public static void delete(Path folder) throws IOException {
    try (Stream<Path> list = Files.list(folder)) {
      for (Path file : list.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(folder);
  }

  private static boolean isJpeg(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(file) && (name.endsWith(".jpg") || name.endsWith(".jpeg"));
  }
}
