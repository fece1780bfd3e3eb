package io.lesionsearch.ingest;

import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecodeException.Reason;
import io.lesionsearch.kafka.BoundedText;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the images that ingest messages name by {@code image_uri}, and only those: files below one
 * of the job's {@code --image-root} directories, after every symbolic link and {@code ..} is
 * resolved, never under /proc, /sys or /dev, regular files only, and never more than the size limit
 * plus one byte, whatever the file system reports (files in /proc report size 0). Without a root,
 * image_uri is refused: a message on a Kafka topic must not read a TaskManager's files.
 */
public final class ImageFiles implements Serializable {

  /** Pseudo file systems: endless files (/dev/zero), the process's secrets (/proc/self/environ). */
  private static final List<Path> NEVER =
      List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

  private final List<String> roots;
  private final int maxBytes;

  /**
   * @param roots absolute directories; none turns image_uri off
   */
  public ImageFiles(List<String> roots, int maxBytes) {
    for (String root : roots) {
      check(root);
    }
    this.roots = List.copyOf(roots);
    this.maxBytes = maxBytes;
  }

  /** A root as the operator named it: absolute, not /, and not in a pseudo file system. */
  static void check(String root) {
    Path p;
    try {
      p = Path.of(root).normalize();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "--image-root " + root + " is not a path: " + e.getMessage());
    }
    if (!p.isAbsolute() || p.getParent() == null) {
      throw new IllegalArgumentException(
          "--image-root must be an absolute directory other than /, got " + root);
    }
    for (Path never : NEVER) {
      if (p.startsWith(never)) {
        throw new IllegalArgumentException(
            "--image-root " + root + " is under " + never + ", which is never read");
      }
    }
  }

  public byte[] read(String uri) throws ImageDecodeException {
    if (roots.isEmpty()) {
      throw refused(
          "image_uri is off in this job: start it with --image-root DIR to read images from files below DIR");
    }
    Path real;
    try {
      real = path(uri).toRealPath();
    } catch (NoSuchFileException e) {
      throw refused("image_uri " + shown(uri) + " names no file");
    } catch (IOException | SecurityException e) {
      throw refused(
          "image_uri " + shown(uri) + " cannot be resolved: " + e.getClass().getSimpleName());
    }
    for (Path never : NEVER) {
      if (real.startsWith(never)) {
        throw refused("image_uri " + shown(uri) + " is under " + never + ", which is never read");
      }
    }
    if (!realRoots().stream().anyMatch(real::startsWith)) {
      throw refused("image_uri " + shown(uri) + " is outside every --image-root " + roots);
    }
    try {
      if (!Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .isRegularFile()) {
        throw refused("image_uri " + shown(uri) + " is not a regular file");
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
        bytes = in.readNBytes(maxBytes + 1);
      }
      if (bytes.length > maxBytes) {
        throw new ImageDecodeException(
            Reason.TOO_LARGE,
            "image_uri "
                + shown(uri)
                + " is over the limit of "
                + maxBytes
                + " bytes (--max-image-bytes)");
      }
      return bytes;
    } catch (IOException e) {
      throw refused(
          "image_uri " + shown(uri) + " could not be read: " + e.getClass().getSimpleName());
    }
  }

  /**
   * An absolute path, or a file: URI; other schemes would make the TaskManager fetch from
   * elsewhere.
   */
  private static Path path(String uri) throws ImageDecodeException {
    try {
      if (uri.startsWith("/")) {
        return Path.of(uri);
      }
      URI parsed = URI.create(uri);
      if ("file".equalsIgnoreCase(parsed.getScheme())) {
        return Path.of(parsed);
      }
    } catch (IllegalArgumentException e) {
      throw refused("image_uri " + shown(uri) + " is not a path or a file: URI");
    }
    throw refused("image_uri must be an absolute path or a file: URI, got " + shown(uri));
  }

  /** The roots as they are on this TaskManager; a root that is missing here holds no images. */
  private List<Path> realRoots() {
    List<Path> real = new ArrayList<>();
    for (String root : roots) {
      try {
        real.add(Path.of(root).toRealPath());
      } catch (IOException e) {
        // not mounted here: nothing below it can be read
      }
    }
    return real;
  }

  private static String shown(String uri) {
    return BoundedText.of(uri, 200);
  }

  private static ImageDecodeException refused(String message) {
    return new ImageDecodeException(Reason.UNREADABLE, message);
  }
}
