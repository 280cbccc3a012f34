package dev.idefics4j.tensor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each tier of the native library runs exactly where this CPU has its instructions (as /proc/cpuinfo lists them):
 * the float32 decoding kernels where it has AVX512F, the AVX2 kernel where it has AVX2 and FMA. A kernel that
 * silently does not load would leave the Java kernels running, correct but slower, which no other test notices.
 */
class NativeKernelTiersTest {
    @Test
    void eachTierLoadsWhereTheCpuHasItsInstructions() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        boolean gcc = Files.isExecutable(Path.of("/usr/bin/gcc"));
        boolean x86 = System.getProperty("os.arch", "").equals("amd64");
        assumeTrue(gcc && x86 && Files.isReadable(cpuinfo), "no gcc, x86-64 or /proc/cpuinfo here");
        assumeTrue(System.getProperty("idefics4j.native.library") == null, "another kernel library was chosen");
        assumeTrue(System.getProperty("idefics4j.native.avx512") == null, "AVX-512 switched off");
        Set<String> flags = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))).orElse(Set.of());
        assertEquals(flags.contains("avx512f"), NativeKernels.decodeAvailable(),
                "AVX-512 decoding kernels: " + NativeKernels.decodeUnavailableReason());
        assertEquals(flags.contains("avx2") && flags.contains("fma"), NativeKernels.avx2Available(),
                "AVX2 decoding kernel: " + NativeKernels.avx2UnavailableReason());
    }
}
