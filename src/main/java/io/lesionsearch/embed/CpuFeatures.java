package io.lesionsearch.embed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The CPU instruction sets that decide which model variant is fastest here. Only bf16 matters: a
 * bf16 TorchScript model ran about 3 times the fp32 model's speed on a Xeon with AMX, and 40 times
 * slower than fp32 on an AMD EPYC (Zen 3) without bf16 instructions, where libtorch emulates it.
 */
public record CpuFeatures(Set<String> flags) {

  private static final Path CPUINFO = Path.of("/proc/cpuinfo");
  private static final Set<String> NATIVE_BF16 = Set.of("amx_bf16", "avx512_bf16");

  /** Read once: a machine's flags do not change while it runs. */
  private static final class Current {
    static final CpuFeatures FEATURES = read();
  }

  /** This machine's flags, from Linux's /proc/cpuinfo; none where it cannot be read. */
  public static CpuFeatures current() {
    return Current.FEATURES;
  }

  private static CpuFeatures read() {
    try {
      return fromCpuinfo(Files.readString(CPUINFO));
    } catch (IOException | RuntimeException e) {
      return new CpuFeatures(Set.of());
    }
  }

  /** The flags of the first processor in a /proc/cpuinfo text. */
  static CpuFeatures fromCpuinfo(String cpuinfo) {
    return cpuinfo
        .lines()
        .filter(line -> line.startsWith("flags"))
        .findFirst()
        .map(line -> line.substring(line.indexOf(':') + 1))
        .map(flags -> Set.copyOf(Arrays.asList(flags.trim().split("\\s+"))))
        .map(CpuFeatures::new)
        .orElseGet(() -> new CpuFeatures(Set.of()));
  }

  /** Whether the CPU computes bf16 matrix products in hardware (AMX or AVX-512 BF16). */
  public boolean nativeBf16() {
    return NATIVE_BF16.stream().anyMatch(flags::contains);
  }

  /**
   * The flags that say so, for log lines: "amx_bf16 avx512_bf16", or "no amx_bf16 or avx512_bf16".
   */
  String bf16Description() {
    String present =
        NATIVE_BF16.stream().filter(flags::contains).sorted().collect(Collectors.joining(" "));
    return present.isEmpty() ? "no amx_bf16 or avx512_bf16" : present;
  }
}
