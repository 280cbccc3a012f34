package dev.idefics4j.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in weight formats keep the values (rounded to the target dtype) and say which copy they make. */
class WeightFormatsTest {
    private static Weight bf16(int rows, int cols) {
        MemorySegment seg = Arena.ofAuto().allocate((long) rows * cols * 2, 2);
        for (int i = 0; i < rows * cols; i++) {
            seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, BFloat16.fromFloat((float) Math.sin(i) * 3));
        }
        return new Weight("w", DType.BF16, rows, cols, seg);
    }

    @Test
    void builtInsAreListedByName() {
        List<String> names = WeightFormats.available().stream().map(WeightFormat::name).toList();
        assertTrue(names.containsAll(List.of("bf16", "f16", "f32", "bf16-resident")), names.toString());
        assertEquals("f32", WeightFormats.named("F32").name());
        assertThrows(IllegalArgumentException.class, () -> WeightFormats.named("int3"));
    }

    @Test
    void conversionsKeepTheValues() {
        Weight w = bf16(7, 300);
        assertSame(w, WeightFormats.named("bf16").apply(w));
        Weight f32 = (Weight) WeightFormats.named("f32").apply(w);
        Weight resident = (Weight) WeightFormats.named("bf16-resident").apply(w);
        assertEquals(DType.F32, f32.dtype());
        assertEquals(DType.BF16, resident.dtype());
        assertNotSame(w.data(), resident.data());
        assertArrayEquals(w.toFloats(), f32.toFloats());
        assertArrayEquals(w.toFloats(), resident.toFloats());
        Weight back = WeightFormats.as(f32, DType.BF16);
        assertArrayEquals(w.toFloats(), back.toFloats());
    }

    @Test
    void hugePageMemoryIsZeroedAndSized() {
        MemorySegment m = HugePages.allocate(5L << 20);
        assertEquals(5L << 20, m.byteSize());
        assertEquals(0, m.get(ValueLayout.JAVA_LONG, (5L << 20) - 8));
        m.set(ValueLayout.JAVA_LONG, 0, 42);
        assertEquals(42, m.get(ValueLayout.JAVA_LONG, 0));
    }
}
