package io.lesionsearch.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.datasets.Diagnosis;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The page's form to the query job's request, with Qdrant's REST filter JSON. */
class SearchFormTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyFilterBecomesTheQdrantConditionItMeans() throws Exception {
    Map<String, List<String>> fields = new HashMap<>();
    fields.put("limit", List.of("25"));
    fields.put("score_threshold", List.of("0.5"));
    fields.put("sex", List.of("female"));
    fields.put("age_min", List.of("40"));
    fields.put("age_max", List.of("70"));
    fields.put("dx_include", List.of("melanoma", "bcc"));
    fields.put("dx_exclude", List.of("melanocytic_Nevi"));
    fields.put("localization_exclude", List.of("face", "neck", " "));
    byte[] image = {(byte) 0xFF, (byte) 0xD8, 1, 2};
    // As sent: the image is written as base64 only when the request is serialized.
    JsonNode request =
        JSON.readTree(JSON.writeValueAsBytes(SearchForm.read(fields, image).toRequest()));

    JsonNode expected =
        JSON.readTree(
            """
        {"query": {"image": "%s"},
         "filter": {
           "must": [
             {"key": "sex", "match": {"value": "female"}},
             {"key": "age", "range": {"gte": 40, "lte": 70}},
             {"key": "dx", "match": {"any": ["melanoma", "mel", "basal_cell_carcinoma", "bcc"]}}],
           "must_not": [
             {"key": "dx", "match": {"any": ["melanocytic_Nevi", "nv"]}},
             {"key": "localization", "match": {"any": ["face", "neck"]}}]},
         "limit": 25, "group_by": "lesion_id", "group_size": 3, "score_threshold": 0.5,
         "with_payload": ["image_id", "lesion_id", "dx", "dx_type", "localization", "sex", "age",
                          "thumbnail"]}
        """
                .formatted(Base64.getEncoder().encodeToString(image)));
    assertEquals(expected, request);
  }

  @Test
  void anImageIdSearchWithoutFiltersCarriesNoFilterAndTheDefaultLimit() throws Exception {
    JsonNode request =
        SearchForm.read(Map.of("image_id", List.of(" ISIC_0024329 "), "sex", List.of("any")), null)
            .toRequest();
    assertEquals("ISIC_0024329", request.at("/query/image_id").asText());
    assertFalse(request.has("filter"), request.toString());
    assertFalse(request.has("score_threshold"));
    assertEquals(SearchForm.DEFAULT_RESULTS, request.get("limit").asInt());
  }

  @Test
  void oneCardPerLesionUnlessEveryPhotoIsAskedFor() throws Exception {
    JsonNode grouped =
        SearchForm.read(Map.of("image_id", List.of("ISIC_0024329")), null).toRequest();
    assertEquals("lesion_id", grouped.get("group_by").asText());
    assertEquals(SearchForm.PHOTOS_PER_LESION, grouped.get("group_size").asInt());
    JsonNode every =
        SearchForm.read(
                Map.of("image_id", List.of("ISIC_0024329"), "every_photo", List.of("true")), null)
            .toRequest();
    assertFalse(every.has("group_by"), every.toString());
    assertFalse(every.has("group_size"));
  }

  @Test
  void badInputIsRefusedWithAMessageNamingTheField() {
    assertMessage(Map.of(), null, "Choose an image to upload");
    assertMessage(Map.of("image_id", List.of("x")), new byte[] {1}, "not both");
    assertMessage(Map.of(), new byte[0], "empty");
    assertMessage(
        Map.of("image_id", List.of("x"), "limit", List.of("41")),
        null,
        "Number of results must be a whole number from 1 to 40");
    assertMessage(Map.of("image_id", List.of("x"), "limit", List.of("ten")), null, "got \"ten\"");
    assertMessage(
        Map.of("image_id", List.of("x"), "score_threshold", List.of("1.5")),
        null,
        "Minimum similarity");
    assertMessage(
        Map.of("image_id", List.of("x"), "score_threshold", List.of("NaN")),
        null,
        "Minimum similarity");
    assertMessage(Map.of("image_id", List.of("x"), "sex", List.of("other")), null, "Sex must be");
    assertMessage(
        Map.of("image_id", List.of("x"), "age_min", List.of("60"), "age_max", List.of("30")),
        null,
        "is above age to");
    assertMessage(
        Map.of("image_id", List.of("x"), "dx_include", List.of("flu")),
        null,
        "Unknown diagnosis \"flu\"");
    assertMessage(
        Map.of(
            "image_id",
            List.of("x"),
            "dx_include",
            List.of("mel"),
            "dx_exclude",
            List.of("melanoma")),
        null,
        "Melanoma is both included and excluded");
  }

  @Test
  void diagnosisLabelsAreReadableForLongNamesCodesAndUnknownValues() {
    assertEquals("Melanocytic nevus", Diagnosis.labelOf("melanocytic_Nevi"));
    assertEquals(
        "Benign keratosis-like lesion", Diagnosis.labelOf("benign_keratosis-like_lesions"));
    assertEquals("Actinic keratosis / intraepithelial carcinoma", Diagnosis.labelOf("akiec"));
    assertEquals("Seborrheic keratosis", Diagnosis.labelOf("seborrheic_keratosis"));
    assertEquals("Diagnosis not recorded", Diagnosis.labelOf(null));
    assertEquals("Diagnosis not recorded", Diagnosis.labelOf("_"));
  }

  private static void assertMessage(
      Map<String, List<String>> fields, byte[] image, String expected) {
    WebError e = assertThrows(WebError.class, () -> SearchForm.read(fields, image));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
