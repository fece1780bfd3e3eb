package io.lesionsearch.embed;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Picks the device for one parallel instance from Flink's external resource {@code gpu}. Flink hands
 * every slot of a TaskManager the same list of that TaskManager's GPUs (as found by its GPUDriver), so
 * instances spread over them by subtask index; with slots = GPUs per TaskManager each slot gets its
 * own. No GPU resource configured means CPU.
 */
public final class SlotDevice {

  /** The external resource name used in flink-conf ({@code external-resources: gpu}). */
  public static final String RESOURCE_NAME = "gpu";

  private SlotDevice() {}

  public static Device forSlot(RuntimeContext context) {
    return choose(
        context.getExternalResourceInfos(RESOURCE_NAME), context.getTaskInfo().getIndexOfThisSubtask());
  }

  static Device choose(Collection<ExternalResourceInfo> gpus, int subtaskIndex) {
    List<Integer> indexes =
        gpus.stream()
            .map(info -> info.getProperty("index").orElseThrow(
                () -> new IllegalStateException("GPU resource info without an 'index' property: " + info.getKeys())))
            .map(Integer::parseInt)
            .sorted()
            .toList();
    if (indexes.isEmpty()) {
      return Device.cpu();
    }
    return Device.gpu(indexes.get(subtaskIndex % indexes.size()));
  }

  /** Fails early and clearly when Flink assigned a GPU that this build of PyTorch cannot use. */
  public static void checkUsable(Device device) {
    if (device.isGpu()) {
      int visible = Engine.getEngine("PyTorch").getGpuCount();
      if (device.getDeviceId() >= visible) {
        throw new IllegalStateException(
            "Flink assigned " + device + " to this slot but PyTorch sees " + visible
                + " CUDA device(s); build the jar with -Pgpu (CUDA natives) or remove the gpu external resource");
      }
    }
  }
}
