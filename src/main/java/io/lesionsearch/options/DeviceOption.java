package io.lesionsearch.options;

import ai.djl.Device;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The device of the tools that run the model in-process (a picocli mixin). */
public final class DeviceOption {

  @Option(
      names = "--device",
      defaultValue = "cpu",
      converter = DeviceConverter.class,
      description = "cpu, gpu or gpuN (default: ${DEFAULT-VALUE}).")
  public Device device;

  /** "cpu", "gpu" (the first GPU) or "gpuN" / "gpu:N". */
  static final class DeviceConverter implements CommandLine.ITypeConverter<Device> {
    @Override
    public Device convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      if (v.equals("cpu")) {
        return Device.cpu();
      }
      if (v.equals("gpu")) {
        return Device.gpu(0);
      }
      if (v.matches("gpu:?\\d+")) {
        return Device.gpu(Integer.parseInt(v.replaceAll("\\D", "")));
      }
      throw new CommandLine.TypeConversionException(
          "expected cpu, gpu or gpuN, got '" + value + "'");
    }
  }
}
