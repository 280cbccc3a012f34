package dev.idefics4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for weights that are streamed over and over: anonymous pages asked for as transparent huge
 * pages ({@code mmap} + {@code madvise(MADV_HUGEPAGE)} before first touch, Linux). A decoding step reads every
 * weight once; with 4 KiB pages that is a TLB miss and a stop of the hardware prefetcher every 4 KiB, and
 * memory-mapped checkpoint pages (scattered page-cache pages) stream markedly slower than this. Falls back to an
 * ordinary 64-byte-aligned allocation where the calls are unavailable. Freed when unreachable.
 */
public final class HugePages {
    private static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final int MADV_HUGEPAGE = 14;

    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle madvise = null;
        MethodHandle munmap = null;
        try {
            if (System.getProperty("os.name", "").toLowerCase().contains("linux")) {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            }
        } catch (RuntimeException | Error e) {
            // No native access (or no libc): the plain allocation below serves.
            mmap = null;
        }
        MMAP = mmap;
        MADVISE = madvise;
        MUNMAP = munmap;
    }

    private HugePages() {
    }

    /** {@code bytes} of zeroed memory, huge-page backed when the system allows. */
    public static MemorySegment allocate(long bytes) {
        if (MMAP == null || bytes < HUGE) {
            return Arena.ofAuto().allocate(Math.max(1, bytes), 64);
        }
        long size = (bytes + HUGE - 1) / HUGE * HUGE;
        try {
            // Over-allocate by one huge page so the region can start on a 2 MiB boundary.
            MemorySegment raw = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size + HUGE, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (raw.address() == -1L) {
                return Arena.ofAuto().allocate(bytes, 64);
            }
            long base = raw.address();
            long aligned = (base + HUGE - 1) / HUGE * HUGE;
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(aligned), size, MADV_HUGEPAGE);
            long total = size + HUGE;
            return MemorySegment.ofAddress(aligned).reinterpret(bytes, Arena.ofAuto(), s -> unmap(base, total));
        } catch (Throwable t) {
            return Arena.ofAuto().allocate(bytes, 64);
        }
    }

    private static void unmap(long address, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), bytes);
        } catch (Throwable t) {
            // Nothing sensible to do while a cleaner runs; the memory stays mapped.
        }
    }

    /** A copy of {@code src} in huge-page memory, made by all compute threads (faulting in pages costs too). */
    public static MemorySegment copyOf(MemorySegment src) {
        long bytes = src.byteSize();
        MemorySegment dst = allocate(bytes);
        int chunks = (int) ((bytes + HUGE - 1) / HUGE);
        Parallel.forChunks(chunks, HUGE, (c0, c1) -> {
            long from = c0 * HUGE;
            long to = Math.min(bytes, c1 * HUGE);
            MemorySegment.copy(src, from, dst, from, to - from);
        });
        return dst;
    }
}
