package io.lesionsearch.query;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.datasets.SyntheticLesionImages;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.qdrant.PointIds;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A small indexed collection for query tests: synthetic lesion JPEGs embedded by the real model,
 * with HAM10000-style payloads, upserted to Qdrant as the ingest job would write them. Keeps every
 * vector and payload, so a test can work out by brute force what a correct search must return.
 */
final class IndexedLesions {

  static final String[] DX = {
    "melanoma",
    "actinic_keratoses",
    "basal_cell_carcinoma",
    "benign_keratosis-like_lesions",
    "dermatofibroma",
    "melanocytic_Nevi",
    "vascular_lesions"
  };
  static final String[] LOCALIZATION = {
    "face", "neck", "back", "trunk", "lower extremity", "upper extremity", "scalp", "abdomen"
  };

  /** Photos of each lesion, as HAM10000 often has several: image i shows lesion i / 3. */
  static final int PHOTOS_PER_LESION = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  final Map<String, byte[]> jpegs = new LinkedHashMap<>();
  final Map<String, float[]> vectors = new LinkedHashMap<>();
  final Map<String, ObjectNode> payloads = new LinkedHashMap<>();

  IndexedLesions(Path model, int count) throws Exception {
    try (VitEncoder encoder = VitEncoder.open(model, Device.cpu())) {
      for (int i = 0; i < count; i++) {
        String id = "ISIC_" + (24_000 + i);
        byte[] jpeg = SyntheticLesionImages.jpeg(i, 160, 120, 0.9f);
        jpegs.put(id, jpeg);
        vectors.put(
            id,
            encoder
                .embed(List.of(new VitPreprocessor(encoder.manifest()).preprocess(jpeg)))
                .get(0));
        ObjectNode p =
            JSON.createObjectNode()
                .put("image_id", id)
                .put("lesion_id", "HAM_" + (i / PHOTOS_PER_LESION))
                .put("dx", DX[i % DX.length])
                .put("dx_type", "histo")
                .put("sex", i % 3 == 0 ? "male" : "female")
                .put("localization", LOCALIZATION[(i / 2) % LOCALIZATION.length]);
        if (i % 9 != 4) {
          p.put("age", 20 + (i * 7) % 65);
        }
        payloads.put(id, p);
      }
    }
  }

  void upsert(QdrantClient client, String collection) throws Exception {
    upsert(client, collection, Map.of());
  }

  /** Into a new collection whose metadata is {@code metadata} (a model id, say). */
  void upsert(QdrantClient client, String collection, Map<String, Value> metadata)
      throws Exception {
    client
        .createCollectionAsync(
            io.qdrant.client.grpc.Collections.CreateCollection.newBuilder()
                .setCollectionName(collection)
                .setVectorsConfig(
                    io.qdrant.client.grpc.Collections.VectorsConfig.newBuilder()
                        .setParams(
                            VectorParams.newBuilder()
                                .setSize(vectors.values().iterator().next().length)
                                .setDistance(Distance.Cosine)))
                .putAllMetadata(metadata)
                .build())
        .get();
    List<PointStruct> points = new ArrayList<>();
    for (String id : vectors.keySet()) {
      Map<String, Value> payload = new HashMap<>();
      payloads
          .get(id)
          .fields()
          .forEachRemaining(
              e ->
                  payload.put(
                      e.getKey(),
                      e.getValue().isInt()
                          ? ValueFactory.value(e.getValue().asLong())
                          : ValueFactory.value(e.getValue().asText())));
      points.add(
          PointStruct.newBuilder()
              .setId(PointIdFactory.id(PointIds.forImageId(id)))
              .setVectors(VectorsFactory.vectors(vectors.get(id)))
              .putAllPayload(payload)
              .build());
    }
    client.upsertAsync(collection, points).get();
  }

  /** Cosine of a query with an indexed image, as Qdrant computes it. */
  double score(float[] query, String imageId) {
    float[] v = vectors.get(imageId);
    double dot = 0, nq = 0, nv = 0;
    for (int i = 0; i < v.length; i++) {
      dot += (double) query[i] * v[i];
      nq += (double) query[i] * query[i];
      nv += (double) v[i] * v[i];
    }
    return dot / Math.sqrt(nq * nv);
  }

  /** Images that pass {@code filter}, best first. */
  List<String> ranked(float[] query, Predicate<JsonNode> filter) {
    return payloads.keySet().stream()
        .filter(id -> filter.test(payloads.get(id)))
        .sorted((a, b) -> Double.compare(score(query, b), score(query, a)))
        .toList();
  }

  String imageIdOfPoint(String pointId) {
    return vectors.keySet().stream()
        .filter(id -> PointIds.forImageId(id).toString().equals(pointId))
        .findFirst()
        .orElse(null);
  }
}
