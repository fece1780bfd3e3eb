package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.Device;
import io.lesionsearch.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One model per directory and device per JVM, freed by the last user; predictors per thread. */
class SharedModelsTest {

  @Test
  void leasesOnTheSameModelShareOneLoadedModelUntilTheLastIsClosed() throws Exception {
    LoadedModel first;
    try (SharedModels.Lease a =
            SharedModels.acquire(TestData.model("vit-s16-d1/fp32"), Device.cpu());
        SharedModels.Lease b =
            SharedModels.acquire(TestData.model("vit-s16-d1/fp32"), Device.cpu())) {
      first = a.model();
      assertSame(first, b.model());
      try (SharedModels.Lease c =
          SharedModels.acquire(TestData.model("vit-s16-d1/bf16"), Device.cpu())) {
        assertNotSame(first, c.model());
      }
      try (SharedModels.Lease d =
          SharedModels.acquire(TestData.model("vit-s16-d1/fp32"), Device.cpu())) {
        assertSame(first, d.model(), "still held by a and b");
      }
    }
    try (SharedModels.Lease again =
        SharedModels.acquire(TestData.model("vit-s16-d1/fp32"), Device.cpu())) {
      assertNotSame(
          first, again.model(), "the last close freed the model; the next user loads it anew");
    }
  }

  @Test
  void encodersOnTheSameModelShareItsManifest() throws Exception {
    try (VitEncoder a = VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu());
        VitEncoder b = VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu());
        VitEncoder c = VitEncoder.open(TestData.model("vit-s16-d1/bf16"), Device.cpu())) {
      assertSame(a.manifest(), b.manifest());
      assertNotSame(a.manifest(), c.manifest());
    }
  }

  @Test
  void concurrentEncodersOnOneModelGiveTheSameVectorsAsOneThread() throws Exception {
    byte[] jpeg = TestData.imageBytes("lesion-600x450.jpg");
    float[] expected;
    try (VitEncoder encoder = VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu())) {
      expected =
          encoder.embed(List.of(new VitPreprocessor(encoder.manifest()).preprocess(jpeg))).get(0);
    }
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(
            threads.submit(
                () -> {
                  try (VitEncoder encoder =
                      VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu())) {
                    float[] last = null;
                    for (int i = 0; i < 3; i++) {
                      last =
                          encoder
                              .embed(
                                  List.of(new VitPreprocessor(encoder.manifest()).preprocess(jpeg)))
                              .get(0);
                    }
                    return last;
                  }
                }));
      }
      for (Future<float[]> r : results) {
        float[] v = r.get();
        assertEquals(0f, TestData.maxAbsDiff(expected, v), 1e-5f);
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
