package io.lesionsearch.qdrant;

import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Map;

/**
 * How a collection says which model made its vectors, and how collections of one alias are named.
 *
 * <p>Searches and the ingest job name an alias (by default {@code lesions}); the physical
 * collection behind it is {@code <alias>__<model id>}, with every character of the model id that is
 * not a letter, digit, '.', '_' or '-' replaced by '_' (Qdrant refuses some of them in names). Each
 * collection's metadata records {@code model_id} and {@code vector_size}, which the ingest job
 * checks before it writes and the query job before it searches.
 */
public final class ModelCollections {
  /** Metadata key of the model id. */
  public static final String MODEL_ID = "model_id";

  /** Metadata key of the vector size. */
  public static final String VECTOR_SIZE = "vector_size";

  /** Between the alias and the model id in a physical collection's name. */
  public static final String SEPARATOR = "__";

  private static final int MAX_NAME = 255;

  private ModelCollections() {}

  /** The physical collection for this alias and model: {@code <alias>__<sanitized model id>}. */
  public static String physicalName(String alias, String modelId) {
    String name = alias + SEPARATOR + sanitize(modelId);
    return name.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME);
  }

  /** Whether a name is a physical collection's (holds the separator), not an alias. */
  public static boolean isPhysical(String collection) {
    return collection.lastIndexOf(SEPARATOR) > 0;
  }

  /** The alias part of a physical name, or the name itself when it has no model part. */
  public static String aliasOf(String collection) {
    int at = collection.lastIndexOf(SEPARATOR);
    return at > 0 ? collection.substring(0, at) : collection;
  }

  static String sanitize(String modelId) {
    StringBuilder b = new StringBuilder(modelId.length());
    for (int i = 0; i < modelId.length(); i++) {
      char c = modelId.charAt(i);
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      b.append(plain ? c : '_');
    }
    return b.toString();
  }

  /** The metadata a new collection of this model records. */
  public static Map<String, Value> metadata(String modelId, int vectorSize) {
    return Map.of(
        MODEL_ID,
        Value.newBuilder().setStringValue(modelId).build(),
        VECTOR_SIZE,
        Value.newBuilder().setIntegerValue(vectorSize).build());
  }

  /** The model id a collection records, or null when it records none (or not as a string). */
  public static String modelId(CollectionInfo info) {
    Value v = info.getConfig().getMetadataMap().get(MODEL_ID);
    return v != null && v.hasStringValue() ? v.getStringValue() : null;
  }
}
