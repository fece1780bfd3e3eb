package io.lesionsearch.produce;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.LesionImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Set;

/**
 * Dataset rows as ingest messages (ARCHITECTURE.md's contract, key = image_id). {@code dx} is the
 * Hugging Face long name, so the tutorial's filters (dx except [melanoma, actinic_keratoses]) work
 * verbatim, and {@code dx_code} the HAM10000 short code. A missing age is left out, never 0.
 */
public final class IngestMessages {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Extra metadata columns may not overwrite the contract's own fields. */
  private static final Set<String> RESERVED = Set.of("image_id", "lesion_id", "dx", "dx_code", "dx_type", "age", "sex",
      "localization", "image", "image_uri");

  private IngestMessages() {}

  public static byte[] key(LesionImage image) {
    return image.imageId().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @param inline the image base64 in the message; otherwise {@code image_uri} is the file's absolute
   *     path, which every TaskManager must be able to read
   * @throws IOException when the image file cannot be read (inline only)
   */
  public static byte[] value(LesionImage image, boolean inline) throws IOException {
    ObjectNode m = JSON.createObjectNode();
    m.put("image_id", image.imageId());
    putIfPresent(m, "lesion_id", image.lesionId());
    m.put("dx", image.dx().longName());
    m.put("dx_code", image.dx().code());
    putIfPresent(m, "dx_type", image.dxType());
    image.age().ifPresent(age -> m.put("age", age));
    putIfPresent(m, "sex", image.sex());
    putIfPresent(m, "localization", image.localization());
    image.extra().forEach((k, v) -> {
      if (!RESERVED.contains(k)) {
        m.put(k, v);
      }
    });
    if (inline) {
      m.put("image", Base64.getEncoder().encodeToString(Files.readAllBytes(image.file())));
    } else {
      m.put("image_uri", image.file().toAbsolutePath().toString());
    }
    return JSON.writeValueAsBytes(m);
  }

  private static void putIfPresent(ObjectNode m, String field, String value) {
    if (value != null) {
      m.put(field, value);
    }
  }
}
