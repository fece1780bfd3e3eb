package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which CPUs compute bf16 in hardware, read from /proc/cpuinfo text. */
class CpuFeaturesTest {

  // The development machines' two CPUs, flags abridged.
  private static final String ZEN3 =
      "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n"
          + "flags\t\t: fpu sse sse2 avx f16c fma avx2 sha_ni vaes vpclmulqdq\n"
          + "bogomips\t: 4890.84\n\nprocessor\t: 1\nflags\t\t: fpu avx2\n";
  private static final String SAPPHIRE_RAPIDS =
      "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8\n";

  @Test
  void aCpuWithoutBf16InstructionsHasNoNativeBf16() {
    CpuFeatures cpu = CpuFeatures.fromCpuinfo(ZEN3);
    assertTrue(cpu.flags().contains("avx2"));
    assertFalse(cpu.nativeBf16());
    assertEquals("no amx_bf16 or avx512_bf16", cpu.bf16Description());
  }

  @Test
  void amxOrAvx512Bf16IsNativeBf16() {
    CpuFeatures cpu = CpuFeatures.fromCpuinfo(SAPPHIRE_RAPIDS);
    assertTrue(cpu.nativeBf16());
    assertEquals("amx_bf16 avx512_bf16", cpu.bf16Description());
    assertTrue(CpuFeatures.fromCpuinfo("flags : avx512f avx512_bf16\n").nativeBf16());
  }

  @Test
  void textWithoutFlagsHasNone() {
    assertTrue(CpuFeatures.fromCpuinfo("").flags().isEmpty());
    assertTrue(CpuFeatures.fromCpuinfo("processor : 0\nmodel name : Apple M2\n").flags().isEmpty());
  }
}
