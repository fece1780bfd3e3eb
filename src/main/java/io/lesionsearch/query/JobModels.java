package io.lesionsearch.query;

import io.lesionsearch.kafka.BoundedText;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * The models the query job embeds images with, by model id, the first given the default: during a
 * model upgrade the job holds the old and the new one, and an image query is embedded with the
 * model whose vectors the collection it searches holds, whichever side of the alias switch it falls
 * on.
 *
 * @param <E> what embeds with one model (an {@link ImageEmbedder}; a fake in tests)
 */
final class JobModels<E> {
  /** The most model ids a MODEL_MISMATCH message lists. */
  static final int MAX_LISTED = 4;

  private final Map<String, E> byModelId;
  private final E first;

  /**
   * @param byModelId in the order the job was given them; at least one
   * @throws IllegalArgumentException when empty
   */
  JobModels(Map<String, E> byModelId) {
    if (byModelId.isEmpty()) {
      throw new IllegalArgumentException("the query job needs at least one model");
    }
    this.byModelId = new LinkedHashMap<>(byModelId);
    this.first = this.byModelId.values().iterator().next();
  }

  int size() {
    return byModelId.size();
  }

  Collection<E> all() {
    return byModelId.values();
  }

  /**
   * The model whose vectors {@code target} holds; the first when it records no model id (a
   * collection made before collections recorded one).
   *
   * @throws CompletionException of a MODEL_MISMATCH {@link QueryException} naming the collection's
   *     model and the job's, when none of the job's models made its vectors
   */
  E forCollection(CollectionModel.Target target) {
    if (target.modelId() == null) {
      return first;
    }
    E chosen = byModelId.get(target.modelId());
    if (chosen != null) {
      return chosen;
    }
    throw new CompletionException(
        new QueryException(
            ErrorCode.MODEL_MISMATCH,
            "this job embeds images with "
                + describeModels()
                + ", but "
                + target.describe()
                + " holds vectors of model '"
                + BoundedText.of(target.modelId(), CollectionModel.MAX_MODEL_ID_CHARS)
                + "'; vectors of two models are never compared"));
  }

  /** "model 'A'" or "models 'A', 'B'", at most {@link #MAX_LISTED} named. */
  private String describeModels() {
    List<String> names = new ArrayList<>();
    for (String id : byModelId.keySet()) {
      if (names.size() == MAX_LISTED) {
        names.add("and " + (byModelId.size() - MAX_LISTED) + " more");
        break;
      }
      names.add("'" + BoundedText.of(id, CollectionModel.MAX_MODEL_ID_CHARS) + "'");
    }
    return (byModelId.size() == 1 ? "model " : "models ") + String.join(", ", names);
  }
}
