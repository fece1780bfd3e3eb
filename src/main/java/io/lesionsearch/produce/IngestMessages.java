package io.lesionsearch.produce;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.LesionImage;
import io.lesionsearch.payload.LesionPayload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;

/**
 * Dataset rows as ingest messages (ARCHITECTURE.md's contract, key = image_id). {@code dx} is the
 * Hugging Face long name, so the tutorial's filters (dx except [melanoma, actinic_keratoses]) work
 * verbatim, and {@code dx_code} the HAM10000 short code. A missing age is left out, never 0.
 */
public final class IngestMessages {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Extra metadata columns may not overwrite the contract's own fields. */
  private static boolean reserved(String field) {
    return LesionPayload.isDatasetField(field)
        || field.equals(LesionPayload.IMAGE)
        || field.equals(LesionPayload.IMAGE_URI);
  }

  private IngestMessages() {}

  public static byte[] key(LesionImage image) {
    return image.imageId().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @param inline the image base64 in the message; otherwise {@code image_uri} is the file's
   *     absolute path, which every TaskManager must be able to read
   * @throws IOException when the image file cannot be read (inline only)
   */
  public static byte[] value(LesionImage image, boolean inline) throws IOException {
    ObjectNode m = JSON.createObjectNode();
    m.put(LesionPayload.IMAGE_ID, image.imageId());
    putIfPresent(m, LesionPayload.LESION_ID, image.lesionId());
    m.put(LesionPayload.DX, image.dx().longName());
    m.put(LesionPayload.DX_CODE, image.dx().code());
    putIfPresent(m, LesionPayload.DX_TYPE, image.dxType());
    image.age().ifPresent(age -> m.put(LesionPayload.AGE, age));
    putIfPresent(m, LesionPayload.SEX, image.sex());
    putIfPresent(m, LesionPayload.LOCALIZATION, image.localization());
    image
        .extra()
        .forEach(
            (k, v) -> {
              if (!reserved(k)) {
                m.put(k, v);
              }
            });
    if (inline) {
      m.put(
          LesionPayload.IMAGE,
          Base64.getEncoder().encodeToString(Files.readAllBytes(image.file())));
    } else {
      m.put(LesionPayload.IMAGE_URI, image.file().toAbsolutePath().toString());
    }
    return JSON.writeValueAsBytes(m);
  }

  private static void putIfPresent(ObjectNode m, String field, String value) {
    if (value != null) {
      m.put(field, value);
    }
  }
}
