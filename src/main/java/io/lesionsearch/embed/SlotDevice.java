package io.lesionsearch.embed;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * The devices one parallel instance may run on, from Flink's external resource {@code gpu}: the
 * GPUs the GPUDriver found on this TaskManager, or the CPU when there are none. Flink gives every
 * slot of a TaskManager the same list and places subtasks without regard to their index, so the
 * choice among them is made inside the JVM: {@link SharedModels#acquireLeastUsed} takes the GPU
 * with the fewest users, and with slots = GPUs per TaskManager each slot gets its own.
 */
public final class SlotDevice {

  /** The external resource name used in flink-conf ({@code external-resources: gpu}). */
  public static final String RESOURCE_NAME = "gpu";

  private SlotDevice() {}

  public static List<Device> candidates(RuntimeContext context) {
    return candidates(context.getExternalResourceInfos(RESOURCE_NAME));
  }

  static List<Device> candidates(Collection<ExternalResourceInfo> gpus) {
    List<Device> devices =
        gpus.stream()
            .map(
                info ->
                    info.getProperty("index")
                        .orElseThrow(
                            () ->
                                new IllegalStateException(
                                    "GPU resource info without an 'index' property: "
                                        + info.getKeys())))
            .map(Integer::parseInt)
            .sorted()
            .map(Device::gpu)
            .toList();
    return devices.isEmpty() ? List.of(Device.cpu()) : devices;
  }

  /** Fails early and clearly when Flink assigned a GPU that this build of PyTorch cannot use. */
  public static void checkUsable(Device device) {
    if (device.isGpu()) {
      int visible = Engine.getEngine("PyTorch").getGpuCount();
      if (device.getDeviceId() >= visible) {
        throw new IllegalStateException(
            "Flink assigned "
                + device
                + " to this slot but PyTorch sees "
                + visible
                + " CUDA device(s); build the jar with -Pgpu (CUDA natives) or remove the gpu external resource");
      }
    }
  }
}
