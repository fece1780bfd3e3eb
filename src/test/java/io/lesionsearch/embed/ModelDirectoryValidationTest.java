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
    ModelManifest m = ModelManifest.read(TestData.model("vit-s16-d1/fp32"));
    assertEquals(224, m.height());
    assertEquals(384, m.embeddingSize());
    assertEquals("float32", m.computeDtype());
  }

  @Test
  void shippedOnnxManifestIsValidAndNamesItsEngine() throws Exception {
    ModelManifest onnx = ModelManifest.read(TestData.model("vit-s16-d1/onnx-fp32"));
    assertEquals(ModelEngine.ONNX_RUNTIME, onnx.modelEngine());
    assertEquals("model.onnx", onnx.modelFile());
    assertEquals("model", onnx.modelName());
    ModelManifest torch = ModelManifest.read(TestData.model("vit-s16-d1/fp32"));
    assertEquals(ModelEngine.PYTORCH, torch.modelEngine(), "no engine field means PyTorch");
    assertEquals("model.pt", torch.modelFile());
  }

  @Test
  void engineFieldsAreChecked() throws Exception {
    assertProblem(
        m -> m.put("engine", "TensorFlow"),
        "engine must be one of [PyTorch, OnnxRuntime] (absent means PyTorch), got \"TensorFlow\"");
    assertProblem(m -> m.put("engine", "onnxruntime"), "engine must be one of");
    assertProblem(
        m -> m.put("engine", "OnnxRuntime"),
        "onnx must name a .onnx file in the model directory (engine OnnxRuntime), got nothing");
    assertProblem(
        m -> m.put("engine", "OnnxRuntime").put("onnx", "model.onnx"),
        "torchscript belongs to engine PyTorch, but this manifest's engine is OnnxRuntime");
    assertProblem(
        m -> m.put("onnx", "model.onnx"),
        "onnx belongs to engine OnnxRuntime, but this manifest's engine is PyTorch");
    assertProblem(m -> m.put("engine", "PyTorch").remove("torchscript"), "torchscript must name");
    assertProblem(m -> m.put("torchscript", "model.onnx"), "torchscript must name a .pt file");
    assertProblem(m -> m.put("torchscript", ".pt"), "torchscript must name a .pt file");
    assertProblem(m -> m.put("torchscript", "dir\\model.pt"), "torchscript must name a .pt file");
    assertProblem(
        m -> m.put("compute_dtype", "int8"),
        "compute_dtype must be one of [bfloat16, float32] for engine PyTorch, got \"int8\""
            + " (int8 needs engine OnnxRuntime)");
    assertProblem(m -> m.remove("compute_dtype"), "compute_dtype is missing");
  }

  @Test
  void onnxManifestFieldsAreChecked() throws Exception {
    assertOnnxProblem(m -> m.put("onnx", "../model.onnx"), "onnx must name a .onnx file");
    assertOnnxProblem(m -> m.put("onnx", "model.pt"), "onnx must name a .onnx file");
    assertOnnxProblem(
        m -> m.put("torchscript", "model.pt"), "torchscript belongs to engine PyTorch");
    assertOnnxProblem(
        m -> m.put("compute_dtype", "bfloat16"),
        "compute_dtype must be one of [float32, int8] for engine OnnxRuntime, got \"bfloat16\""
            + " (bfloat16 needs engine PyTorch)");
    assertOnnxProblem(
        m -> m.put("compute_dtype", "float16"),
        "compute_dtype must be one of [float32, int8] for engine OnnxRuntime, got \"float16\"");
  }

  @Test
  void int8IsAllowedWithOnnxRuntime() throws Exception {
    Path dir = copyOfShippedOnnxModel(m -> m.put("compute_dtype", "int8"));
    assertEquals("int8", ModelManifest.read(dir).computeDtype());
  }

  @Test
  void aHugeValueIsCutShortInTheMessage() throws Exception {
    String huge = "X".repeat(100_000);
    Path dir = copyOfShippedModel(m -> m.put("engine", huge));
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelManifest.read(dir));
    assertTrue(e.getMessage().contains("...(100000 chars)"), e.getMessage());
    assertTrue(e.getMessage().length() < 1_000, "message length " + e.getMessage().length());
  }

  @Test
  void missingOnnxFile() throws Exception {
    Path dir = copyOfShippedOnnxModel(m -> m.put("onnx", "absent.onnx"));
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelManifest.read(dir));
    assertTrue(e.getMessage().contains("absent.onnx, which is missing"), e.getMessage());
  }

  @Test
  void fileThatIsNotOnnxIsRefused() throws Exception {
    Path dir = copyOfShippedOnnxModel(m -> {});
    Files.writeString(dir.resolve("model.onnx"), "this is not an ONNX protobuf");
    ModelLoadException e =
        assertThrows(ModelLoadException.class, () -> SharedModels.acquire(dir, Device.cpu()));
    assertTrue(e.getMessage().startsWith(dir.resolve("model.onnx").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("cannot load ONNX"), e.getMessage());
  }

  @Test
  void onnxModelWhoseOutputDisagreesWithTheManifestIsRefusedAtLoad() throws Exception {
    Path dir = copyOfShippedOnnxModel(m -> m.put("embedding_size", 512));
    ModelLoadException e =
        assertThrows(ModelLoadException.class, () -> SharedModels.acquire(dir, Device.cpu()));
    assertTrue(e.getMessage().contains("model.onnx"), e.getMessage());
    assertTrue(e.getMessage().contains("to [1, 512]"), e.getMessage());
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

  private void assertOnnxProblem(Consumer<ObjectNode> edit, String expected) throws Exception {
    Path dir = copyOfShippedOnnxModel(edit);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelManifest.read(dir));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private Path copyOfShippedModel(Consumer<ObjectNode> edit) throws Exception {
    return copyOf("vit-s16-d1/fp32", "model.pt", edit);
  }

  private Path copyOfShippedOnnxModel(Consumer<ObjectNode> edit) throws Exception {
    return copyOf("vit-s16-d1/onnx-fp32", "model.onnx", edit);
  }

  private Path copyOf(String model, String file, Consumer<ObjectNode> edit) throws Exception {
    Path source = TestData.model(model);
    Path dir = Files.createTempDirectory(tmp, "model");
    ObjectNode manifest = (ObjectNode) JSON.readTree(source.resolve("manifest.json").toFile());
    edit.accept(manifest);
    JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);
    Files.copy(source.resolve(file), dir.resolve(file));
    return dir;
  }
}
