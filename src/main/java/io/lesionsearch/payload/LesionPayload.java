package io.lesionsearch.payload;

import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The payload of a lesion point: its field names, their types, which ones Qdrant indexes for
 * filters and which ones a point stores. Ingest writes it, the query job, the web page, the
 * datasets and the benchmarks read it, and the generic Qdrant sink knows none of it.
 */
public final class LesionPayload {
  /**
   * Text: the image's id in the dataset; the point id derives from it, so it is also the Kafka key.
   */
  public static final String IMAGE_ID = "image_id";

  /** Text: the lesion the image shows; several images may share it. */
  public static final String LESION_ID = "lesion_id";

  /** Text: the diagnosis, as its long name ({@code produce} writes it so). */
  public static final String DX = "dx";

  /** Text: the diagnosis's short HAM10000 code beside the long name in {@link #DX}. */
  public static final String DX_CODE = "dx_code";

  /** Text: how the diagnosis was made (histo, follow_up, consensus, confocal). */
  public static final String DX_TYPE = "dx_type";

  /** Text: male, female or unknown. */
  public static final String SEX = "sex";

  /** Text: the body site. */
  public static final String LOCALIZATION = "localization";

  /**
   * Number from 0 to {@link #MAX_AGE}, kept a number so that ranges can filter on it; absent when
   * unknown.
   */
  public static final String AGE = "age";

  /** Text, written by the job: when the point was embedded, as an ISO-8601 instant. */
  public static final String INGESTED_AT = "ingested_at";

  /** Text, written by the job: the model that made the vector. */
  public static final String MODEL_ID = "model_id";

  /**
   * Text, written by the job: a base64 JPEG preview (see {@code --thumbnail-size}); absent when
   * none.
   */
  public static final String THUMBNAIL = "thumbnail";

  /**
   * Message fields that carry the image; never stored, since where the file is is not the point's
   * business.
   */
  public static final String IMAGE = "image";

  public static final String IMAGE_URI = "image_uri";

  /** No patient is older. */
  public static final double MAX_AGE = 150;

  /** The text fields a message may give besides {@link #IMAGE_ID}, stored as they come. */
  public static final List<String> TEXT_FIELDS =
      List.of(LESION_ID, DX, DX_CODE, DX_TYPE, SEX, LOCALIZATION);

  /** Fields the job writes itself, and message fields never stored: no message may set them. */
  public static final Set<String> RESERVED =
      Set.of(IMAGE, IMAGE_URI, INGESTED_AT, MODEL_ID, THUMBNAIL, "op");

  /**
   * The fields searches filter on, and the index type each needs; the collection gets them when
   * made.
   */
  public static final Map<String, PayloadSchemaType> INDEXES = indexes();

  private LesionPayload() {}

  /**
   * Whether a point may store this field from a message (the dataset's fields, not the job's own).
   */
  public static boolean isDatasetField(String field) {
    return field.equals(IMAGE_ID) || field.equals(AGE) || TEXT_FIELDS.contains(field);
  }

  private static Map<String, PayloadSchemaType> indexes() {
    Map<String, PayloadSchemaType> m = new LinkedHashMap<>();
    for (String keyword : List.of(DX, DX_TYPE, SEX, LOCALIZATION, LESION_ID, IMAGE_ID)) {
      m.put(keyword, PayloadSchemaType.Keyword);
    }
    m.put(AGE, PayloadSchemaType.Float);
    return java.util.Collections.unmodifiableMap(m);
  }
}
