package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken model directory fails at load with a message naming the path and the problem. */
class ModelDirectoryValidationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void shippedManifestIsValid() throws Exception {
    ModelManifest m = ModelManifest.read(TestData.model("vit-s16-d1-fp32"));
    assertEquals(224, m.height());
    assertEquals(384, m.embeddingSize());
    assertEquals("float32", m.computeDtype());
  }

  @Test
  void missingDirectory() {
    Path missing = tmp.resolve("nope");
    ModelLoadException e =
        assertThrows(ModelLoadException.class, () -> SharedModels.acquire(missing, Device.cpu()));
    assertTrue(e.getMessage().startsWith(missing.toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
  }

  @Test
  void missingManifest() throws Exception {
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelManifest.read(tmp));
    assertTrue(
        e.getMessage().contains(tmp.toString()) && e.getMessage().contains("no manifest.json"),
        e.getMessage());
  }

  @Test
  void unparsableManifest() throws Exception {
    Files.writeString(tmp.resolve("manifest.json"), "{ not json");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelManifest.read(tmp));
    assertTrue(e.getMessage().contains("manifest.json: unreadable manifest"), e.getMessage());
  }

  @Test
  void everyInvalidFieldIsNamed() throws Exception {
    assertProblem(m -> m.put("format", "other/2"), "format must be");
    assertProblem(m -> m.remove("model_id"), "model_id is missing");
    assertProblem(m -> m.put("resample", "bicubic"), "resample must be \"bilinear\"");
    assertProblem(m -> m.put("pooling", "cls"), "pooling must be \"mean\"");
    assertProblem(m -> m.put("compute_dtype", "float16"), "compute_dtype must be one of");
    assertProblem(m -> m.put("embedding_size", 0), "embedding_size must be positive");
    assertProblem(
        m -> m.putArray("image_std").add(0.2).add(0).add(0.2),
        "image_std must hold 3 positive values");
    assertProblem(m -> m.putArray("image_mean").add(0.5), "image_mean must hold 3 values");
    assertProblem(
        m -> m.putObject("image_size").put("height", 224),
        "image_size must have positive height and width");
    assertProblem(
        m -> m.put("torchscript", "../elsewhere/model.pt"), "torchscript must name a .pt file");
  }

  @Test
  void missingTorchScriptFile() throws Exception {
    Path dir = copyOfShippedModel(m -> m.put("torchscript", "absent.pt"));
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelManifest.read(dir));
    assertTrue(e.getMessage().contains("absent.pt, which is missing"), e.getMessage());
  }

  @Test
  void modelWhoseOutputDisagreesWithTheManifestIsRefusedAtLoad() throws Exception {
    Path dir = copyOfShippedModel(m -> m.put("embedding_size", 512));
    ModelLoadException e =
        assertThrows(ModelLoadException.class, () -> SharedModels.acquire(dir, Device.cpu()));
    assertTrue(e.getMessage().contains("model.pt"), e.getMessage());
    assertTrue(e.getMessage().contains("to [1, 512]"), e.getMessage());
    assertThrows(
        ModelLoadException.class,
        () -> SharedModels.acquire(dir, Device.cpu()),
        "a model that failed validation must not stay loaded for the next user");
  }

  @Test
  void fileThatIsNotTorchScriptIsRefused() throws Exception {
    Path dir = copyOfShippedModel(m -> {});
    Files.writeString(dir.resolve("model.pt"), "this is not a TorchScript archive");
    ModelLoadException e =
        assertThrows(ModelLoadException.class, () -> SharedModels.acquire(dir, Device.cpu()));
    assertTrue(e.getMessage().contains(dir.resolve("model.pt").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("cannot load TorchScript"), e.getMessage());
  }

  private void assertProblem(Consumer<ObjectNode> edit, String expected) throws Exception {
    Path dir = copyOfShippedModel(edit);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelManifest.read(dir));
    assertTrue(e.getMessage().contains(dir.resolve("manifest.json").toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private Path copyOfShippedModel(Consumer<ObjectNode> edit) throws Exception {
    Path source = TestData.model("vit-s16-d1-fp32");
    Path dir = Files.createTempDirectory(tmp, "model");
    ObjectNode manifest = (ObjectNode) JSON.readTree(source.resolve("manifest.json").toFile());
    edit.accept(manifest);
    JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    Files.copy(source.resolve("model.pt"), dir.resolve("model.pt"));
    return dir;
  }
}
