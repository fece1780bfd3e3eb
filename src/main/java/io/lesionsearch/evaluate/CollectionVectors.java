package io.lesionsearch.evaluate;

import io.lesionsearch.datasets.Diagnosis;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.VectorOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every point of a collection with its vector and the payload fields the evaluation needs, read by
 * scroll. {@code dx} is the ingest job's long name or HAM's code (either is mapped to the code), or
 * {@code dx_code} when {@code dx} is missing; a point with neither is listed as a problem.
 */
public final class CollectionVectors {

  static final int PAGE = 256;
  private static final List<String> FIELDS = List.of("image_id", "lesion_id", "dx", "dx_code");

  private CollectionVectors() {}

  public static Loaded read(
      QdrantClient client,
      String collection,
      Duration timeout,
      EvaluationSettings.Progress progress)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<LabelledVector> points = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    PointId offset = null;
    int seen = 0;
    do {
      ScrollPoints.Builder request =
          ScrollPoints.newBuilder()
              .setCollectionName(collection)
              .setLimit(PAGE)
              .setWithPayload(WithPayloadSelectorFactory.include(FIELDS))
              .setWithVectors(WithVectorsSelectorFactory.enable(true));
      if (offset != null) {
        request.setOffset(offset);
      }
      ScrollResponse page =
          client.scrollAsync(request.build()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      for (RetrievedPoint p : page.getResultList()) {
        seen++;
        String problem = labelled(p, points);
        if (problem != null) {
          problems.add("point " + id(p.getId()) + ": " + problem);
        }
      }
      progress.advanced("points read", seen, seen);
      offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
    } while (offset != null);
    return new Loaded(points, problems);
  }

  /** Adds the point, or says why not. */
  private static String labelled(RetrievedPoint p, List<LabelledVector> points) {
    Map<String, Value> payload = p.getPayloadMap();
    String dx = text(payload, "dx");
    if (dx == null) {
      dx = text(payload, "dx_code");
    }
    if (dx == null) {
      return "no dx (nor dx_code) in its payload";
    }
    VectorOutput v = p.getVectors().getVector();
    List<Float> data = v.hasDense() ? v.getDense().getDataList() : v.getDataList();
    if (data.isEmpty()) {
      return "no unnamed dense vector";
    }
    float[] vector = new float[data.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = data.get(i);
    }
    String imageId = text(payload, "image_id");
    String label = Diagnosis.parse(dx).map(Diagnosis::code).orElse(dx);
    points.add(
        new LabelledVector(
            imageId == null ? id(p.getId()) : imageId, text(payload, "lesion_id"), label, vector));
    return null;
  }

  private static String text(Map<String, Value> payload, String key) {
    Value v = payload.get(key);
    if (v == null || v.getKindCase() != Value.KindCase.STRING_VALUE) {
      return null;
    }
    String s = v.getStringValue();
    return s.isBlank() ? null : s;
  }

  private static String id(PointId id) {
    return id.hasUuid() ? id.getUuid() : Long.toString(id.getNum());
  }
}
