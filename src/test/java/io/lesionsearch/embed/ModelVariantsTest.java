package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lesionsearch.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An export directory's variants: which one each device runs, and the manifest they share. */
class ModelVariantsTest {

  private static final CpuFeatures AMX = new CpuFeatures(Set.of("avx2", "amx_bf16"));
  private static final CpuFeatures AVX2 = new CpuFeatures(Set.of("avx2"));
  private static final Set<String> ALL = Set.of("fp32", "bf16", "onnx-fp32");

  @TempDir Path temp;

  @Test
  void eachDeviceGetsItsFastestVariantWithinParity() {
    assertEquals(Optional.of("fp32"), ModelVariants.choose(ALL, true, AMX));
    assertEquals(Optional.of("bf16"), ModelVariants.choose(ALL, false, AMX));
    assertEquals(Optional.of("onnx-fp32"), ModelVariants.choose(ALL, false, AVX2));
  }

  @Test
  void aMissingVariantFallsBackToTheNextFastest() {
    assertEquals(Optional.of("fp32"), ModelVariants.choose(Set.of("fp32", "bf16"), false, AVX2));
    assertEquals(Optional.of("onnx-fp32"), ModelVariants.choose(Set.of("onnx-fp32"), false, AMX));
    assertEquals(Optional.of("bf16"), ModelVariants.choose(Set.of("bf16"), false, AVX2));
    assertEquals(
        Optional.of("bf16"), ModelVariants.choose(Set.of("bf16", "onnx-fp32"), true, AVX2));
    assertEquals(Optional.of("onnx-fp32"), ModelVariants.choose(Set.of("onnx-fp32"), true, AMX));
    assertEquals(Optional.empty(), ModelVariants.choose(Set.of(), false, AMX));
  }

  @Test
  void aModelDirectoryIsItsOwnVariant() throws Exception {
    Path model = TestData.model("vit-s16-d1/fp32");
    assertEquals(model, ModelVariants.forDevice(model, Device.cpu()));
    assertEquals(ModelManifest.read(model), ModelVariants.manifest(model));
  }

  @Test
  void theShippedTestModelIsAnExportDirectoryWhoseFastestVariantHereLoads() throws Exception {
    Path export = TestData.model("vit-s16-d1");
    String expected = ModelVariants.choose(ALL, false, CpuFeatures.current()).orElseThrow();
    assertEquals(export.resolve(expected), ModelVariants.forDevice(export, Device.cpu()));
    assertEquals("random/vit-s16-depth1-seed42", ModelVariants.manifest(export).modelId());
    try (SharedModels.Lease lease = SharedModels.acquire(export, Device.cpu())) {
      assertEquals(export.resolve(expected), lease.model().directory());
      assertEquals(384, lease.model().manifest().embeddingSize());
    }
  }

  @Test
  void variantsOfDifferentModelsAreRefused() throws Exception {
    Path export = exportDirectory("fp32");
    Path other = Files.createDirectories(export.resolve("bf16"));
    Path source = TestData.model("vit-s16-d1/bf16");
    Files.copy(source.resolve("model.pt"), other.resolve("model.pt"));
    Files.writeString(
        other.resolve(ModelManifest.FILE_NAME),
        Files.readString(source.resolve(ModelManifest.FILE_NAME))
            .replace("random/vit-s16-depth1-seed42", "another/model"));
    ModelLoadException e =
        assertThrows(ModelLoadException.class, () -> ModelVariants.manifest(export));
    assertTrue(
        e.getMessage().contains("variants bf16 and fp32 are not the same model"), e.getMessage());
  }

  @Test
  void aDirectoryWithNeitherIsRefusedWithWhatWasExpected() throws Exception {
    Path empty = Files.createDirectories(temp.resolve("empty"));
    Files.createDirectories(empty.resolve("onnx-int8"));
    ModelLoadException e =
        assertThrows(ModelLoadException.class, () -> ModelVariants.manifest(empty));
    assertTrue(e.getMessage().contains("nor an export directory holding fp32/"), e.getMessage());
    assertThrows(ModelLoadException.class, () -> ModelVariants.forDevice(empty, Device.cpu()));
  }

  /** An export directory whose variants are links to the shipped test model's. */
  private Path exportDirectory(String... variants) throws Exception {
    Path export = Files.createDirectories(temp.resolve("export"));
    for (String variant : variants) {
      Files.createSymbolicLink(
          export.resolve(variant), TestData.model("vit-s16-d1/" + variant).toAbsolutePath());
    }
    return export;
  }
}
