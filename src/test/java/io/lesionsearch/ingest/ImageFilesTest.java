package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecodeException.Reason;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** image_uri reads only regular files below an image root, and never more than the limit. */
class ImageFilesTest {

  @TempDir Path dir;
  private Path root;
  private ImageFiles files;

  @BeforeEach
  void layout() throws Exception {
    root = Files.createDirectories(dir.resolve("images"));
    Files.write(root.resolve("a.jpg"), new byte[] {1, 2, 3});
    Files.createDirectories(root.resolve("sub"));
    Files.write(root.resolve("sub/b.jpg"), new byte[] {4});
    Files.write(dir.resolve("secret.txt"), new byte[] {9});
    files = new ImageFiles(List.of(root.toString()), 1000);
  }

  @Test
  void readsFilesBelowTheRootByPathOrFileUri() throws Exception {
    assertArrayEquals(new byte[] {1, 2, 3}, files.read(root.resolve("a.jpg").toString()));
    assertArrayEquals(new byte[] {4}, files.read(root.resolve("sub/b.jpg").toUri().toString()));
  }

  @Test
  void refusesEverythingElseWithAReason() throws Exception {
    Files.createSymbolicLink(root.resolve("escape.jpg"), dir.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("zero.jpg"), Path.of("/dev/zero"));
    Path fifo = root.resolve("pipe.jpg");
    new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
    refused(dir.resolve("secret.txt").toString(), "is outside every --image-root");
    refused(root + "/../secret.txt", "is outside every --image-root");
    refused(root.resolve("escape.jpg").toString(), "is outside every --image-root");
    refused(root.resolve("zero.jpg").toString(), "is under /dev");
    refused("/dev/zero", "is under /dev");
    refused("/proc/self/environ", "is under /proc");
    refused("/sys/kernel/notes", "is under /sys");
    refused(root.resolve("sub").toString(), "is not a regular file");
    refused(root.resolve("missing.jpg").toString(), "names no file");
    refused("images/a.jpg", "must be an absolute path or a file: URI");
    refused("http://127.0.0.1:9/a.jpg", "must be an absolute path or a file: URI");
    refused("file://host/a.jpg", "is not a path or a file: URI");
    if (Files.exists(fifo)) {
      refused(fifo.toString(), "is not a regular file");
    }
  }

  @Test
  void readsAtMostTheLimitWhateverTheFileSystemSays() throws Exception {
    Path sparse = root.resolve("huge.jpg");
    try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
      f.setLength(10L << 30); // 10 GiB, no blocks
    }
    ImageDecodeException e =
        assertThrows(ImageDecodeException.class, () -> files.read(sparse.toString()));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertTrue(e.getMessage().contains("over the limit of 1000 bytes"), e.getMessage());
  }

  @Test
  void withoutARootImageUriIsOff() {
    ImageFiles off = new ImageFiles(List.of(), 1000);
    ImageDecodeException e =
        assertThrows(ImageDecodeException.class, () -> off.read(root.resolve("a.jpg").toString()));
    assertTrue(e.getMessage().startsWith("image_uri is off"), e.getMessage());
  }

  @Test
  void rootsMustBeAbsoluteDirectoriesOutsidePseudoFileSystems() {
    for (String bad : new String[] {"/", "images", "/proc", "/dev/shm", "/sys/fs"}) {
      assertThrows(IllegalArgumentException.class, () -> new ImageFiles(List.of(bad), 1000), bad);
    }
  }

  private void refused(String uri, String why) {
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> files.read(uri), uri);
    assertTrue(e.getMessage().contains(why), uri + ": " + e.getMessage());
  }
}
