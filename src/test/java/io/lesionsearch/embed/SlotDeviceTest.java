package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lesionsearch.testing.TestData;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.junit.jupiter.api.Test;

/**
 * Device choice from Flink's gpu external resource, with GPU infos as Flink's GPUDriver reports
 * them.
 */
class SlotDeviceTest {

  /** Stands in for the GPUDriver's GPUInfo, which exposes the device index as property "index". */
  private record GpuInfo(Map<String, String> properties) implements ExternalResourceInfo {
    static GpuInfo index(int i) {
      return new GpuInfo(Map.of("index", Integer.toString(i)));
    }

    @Override
    public Optional<String> getProperty(String key) {
      return Optional.ofNullable(properties.get(key));
    }

    @Override
    public Collection<String> getKeys() {
      return properties.keySet();
    }
  }

  @Test
  void noGpuResourceMeansCpu() {
    assertEquals(List.of(Device.cpu()), SlotDevice.candidates(Set.of()));
  }

  @Test
  void theTaskManagersGpusAreTheCandidatesInIndexOrder() {
    assertEquals(
        List.of(Device.gpu(1), Device.gpu(3)),
        SlotDevice.candidates(List.of(GpuInfo.index(3), GpuInfo.index(1))));
  }

  @Test
  void eachSlotTakesTheLeastUsedGpuWhateverItsSubtaskIndex() {
    List<Device> gpus = List.of(Device.gpu(0), Device.gpu(1));
    assertEquals(Device.gpu(0), SharedModels.leastUsed(gpus, Map.of()));
    assertEquals(Device.gpu(1), SharedModels.leastUsed(gpus, Map.of(Device.gpu(0), 1)));
    assertEquals(
        Device.gpu(0), SharedModels.leastUsed(gpus, Map.of(Device.gpu(0), 1, Device.gpu(1), 1)));
    assertEquals(
        Device.gpu(0), SharedModels.leastUsed(gpus, Map.of(Device.gpu(0), 1, Device.gpu(1), 2)));
  }

  @Test
  void gpuInfoWithoutIndexIsAConfigurationError() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> SlotDevice.candidates(List.of(new GpuInfo(Map.of("uuid", "x")))));
    assertTrue(e.getMessage().contains("'index'"), e.getMessage());
  }

  @Test
  void aGpuThisBuildCannotUseFailsTheLoadWithAClearMessage() {
    // This machine and CI have no CUDA device (and the default build ships CPU natives).
    ModelLoadException e =
        assertThrows(
            ModelLoadException.class,
            () -> SharedModels.acquire(TestData.model("vit-s16-d1/fp32"), Device.gpu(0)));
    assertTrue(e.getMessage().contains("-Pgpu"), e.getMessage());
  }
}
