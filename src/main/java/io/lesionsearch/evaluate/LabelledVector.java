package io.lesionsearch.evaluate;

import java.util.Objects;

/**
 * One indexed image as the evaluation sees it.
 *
 * @param lesionId the lesion the image shows; images of the same lesion are never counted as each
 *     other's neighbours. Null when unknown: the image is then a lesion of its own.
 * @param dx the diagnosis, the label a neighbour must share to count as relevant
 */
public record LabelledVector(String imageId, String lesionId, String dx, float[] vector) {

  public LabelledVector {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(dx, "dx");
    Objects.requireNonNull(vector, "vector");
  }

  /** The lesion this image is grouped with: its lesion_id, or the image itself when it has none. */
  public String lesion() {
    return lesionId == null || lesionId.isBlank() ? "image:" + imageId : lesionId;
  }
}
