package io.lesionsearch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The images, models and PyTorch/Pillow references under src/test/resources (made by jobs/model/).
 */
public final class TestData {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestData() {}

  public static Path resource(String name) {
    try {
      var url = TestData.class.getResource("/" + name);
      if (url == null) {
        throw new IllegalStateException("test resource missing: " + name);
      }
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path image(String name) {
    return resource("images/" + name);
  }

  public static byte[] imageBytes(String name) {
    return bytes(image(name));
  }

  public static Path model(String name) {
    return resource("models/" + name);
  }

  public static JsonNode json(String name) {
    try {
      return JSON.readTree(resource(name).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static float maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  public static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
