package io.lesionsearch.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.Diagnosis;
import io.lesionsearch.payload.LesionPayload;
import java.util.ArrayList;
import java.util.List;

/**
 * The page's filters as Qdrant's REST filter JSON, the form the query job takes from every client:
 * sex and diagnoses to include go in {@code must}, the age range is one {@code range} condition,
 * and diagnoses and body locations to leave out go in {@code must_not}.
 *
 * @param sex "female", "male" or null for any
 * @param ageMin inclusive; null for no lower bound
 * @param ageMax inclusive; null for no upper bound
 */
public record LesionFilter(
    String sex,
    Integer ageMin,
    Integer ageMax,
    List<Diagnosis> include,
    List<Diagnosis> exclude,
    List<String> excludeSites) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public LesionFilter {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
    excludeSites = List.copyOf(excludeSites);
  }

  public static LesionFilter none() {
    return new LesionFilter(null, null, null, List.of(), List.of(), List.of());
  }

  /** The filter object, or null when nothing is filtered (the request then carries no filter). */
  public ObjectNode toJson() {
    ArrayNode must = JSON.createArrayNode();
    ArrayNode mustNot = JSON.createArrayNode();
    if (sex != null) {
      must.addObject().put("key", LesionPayload.SEX).putObject("match").put("value", sex);
    }
    if (ageMin != null || ageMax != null) {
      ObjectNode range = must.addObject().put("key", LesionPayload.AGE).putObject("range");
      if (ageMin != null) {
        range.put("gte", ageMin);
      }
      if (ageMax != null) {
        range.put("lte", ageMax);
      }
    }
    if (!include.isEmpty()) {
      anyOf(must.addObject(), LesionPayload.DX, payloadValues(include));
    }
    if (!exclude.isEmpty()) {
      anyOf(mustNot.addObject(), LesionPayload.DX, payloadValues(exclude));
    }
    if (!excludeSites.isEmpty()) {
      anyOf(mustNot.addObject(), LesionPayload.LOCALIZATION, excludeSites);
    }
    if (must.isEmpty() && mustNot.isEmpty()) {
      return null;
    }
    ObjectNode filter = JSON.createObjectNode();
    if (!must.isEmpty()) {
      filter.set("must", must);
    }
    if (!mustNot.isEmpty()) {
      filter.set("must_not", mustNot);
    }
    return filter;
  }

  private static void anyOf(ObjectNode condition, String key, List<String> values) {
    ArrayNode any = condition.put("key", key).putObject("match").putArray("any");
    values.forEach(any::add);
  }

  private static List<String> payloadValues(List<Diagnosis> diagnoses) {
    List<String> values = new ArrayList<>();
    diagnoses.forEach(d -> values.addAll(d.payloadValues()));
    return values;
  }
}
