package io.lesionsearch.qdrant;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The Qdrant point id of an image: a name-based UUID of its image_id, so a replayed or repeated
 * record overwrites its own point instead of adding another, and any client can find a point from
 * its image_id.
 */
public final class PointIds {
  /** HAM10000's ids are 12 characters; an image_id is also a Kafka key and is quoted in logs. */
  public static final int MAX_IMAGE_ID_CHARS = 256;

  private PointIds() {}

  public static UUID forImageId(String imageId) {
    return UUID.nameUUIDFromBytes(
        ("lesion-search:image_id:" + imageId).getBytes(StandardCharsets.UTF_8));
  }
}
