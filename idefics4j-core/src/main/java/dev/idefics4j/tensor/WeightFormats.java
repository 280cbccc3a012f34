package dev.idefics4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The weight formats available: {@code bf16}, {@code f16} and {@code f32} (the stored weight when it has that
 * dtype, else a converted copy in {@link HugePages} memory), {@code bf16-resident} (always such a copy: a
 * memory-mapped checkpoint's page-cache pages stream markedly slower than anonymous memory when decoding, at
 * the price of holding the linear weights twice while the page cache keeps the file), {@code bf16-dot} where the
 * CPU and build have the bf16 dot-product kernel ({@link Bf16DotWeight}), then whatever {@link WeightFormat}
 * providers the class path holds (quantized formats).
 */
public final class WeightFormats {
    private static final int CHUNK = 1 << 16;
    public static final String RESIDENT = "bf16-resident";
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private WeightFormats() {
    }

    public static List<WeightFormat> available() {
        Map<String, WeightFormat> all = new LinkedHashMap<>();
        for (DType d : new DType[]{DType.BF16, DType.F16, DType.F32}) {
            all.put(name(d), WeightFormat.of(name(d), w -> as(w, d)));
        }
        all.put(RESIDENT, WeightFormat.of(RESIDENT, WeightFormats::resident));
        if (Bf16Dot.available()) {
            all.put(Bf16DotWeight.FORMAT, WeightFormat.of(Bf16DotWeight.FORMAT, Bf16DotWeight::of));
        }
        for (WeightFormat f : ServiceLoader.load(WeightFormat.class)) {
            all.putIfAbsent(f.name(), f);
        }
        return new ArrayList<>(all.values());
    }

    /** The format called {@code name} (case-insensitive). */
    public static WeightFormat named(String name) {
        for (WeightFormat f : available()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        if (name.equalsIgnoreCase(Bf16DotWeight.FORMAT)) {
            throw new IllegalArgumentException(Bf16DotWeight.FORMAT + " is unavailable here: "
                    + Bf16Dot.unavailableReason());
        }
        throw new IllegalArgumentException("unknown weight format '" + name + "'; available: "
                + available().stream().map(WeightFormat::name).toList());
    }

    public static String name(DType d) {
        return d.name().toLowerCase();
    }

    /** {@code w} as bf16 in anonymous (huge-page) memory, copied even when it is stored as bf16. */
    public static Weight resident(Weight w) {
        Weight bf16 = as(w, DType.BF16);
        MemorySegment data = bf16 == w ? HugePages.copyOf(w.data()) : bf16.data();
        return new Weight(w.name(), DType.BF16, w.rows(), w.cols(), data);
    }

    /** {@code w} itself when it has dtype {@code d}, else its values rounded to {@code d} in a new aligned copy. */
    public static Weight as(Weight w, DType d) {
        if (w.dtype() == d) {
            return w;
        }
        long n = (long) w.rows() * w.cols();
        MemorySegment out = HugePages.allocate(n * d.byteSize());
        float[] buf = new float[CHUNK];
        short[] half = new short[CHUNK];
        for (long i = 0; i < n; i += CHUNK) {
            int len = (int) Math.min(CHUNK, n - i);
            Kernels.widen(w.data(), w.dtype(), i, buf, 0, len);
            if (d == DType.F32) {
                MemorySegment.copy(buf, 0, out, FLOAT_LE, i * 4, len);
                continue;
            }
            for (int j = 0; j < len; j++) {
                half[j] = d == DType.BF16 ? BFloat16.fromFloat(buf[j]) : Float.floatToFloat16(buf[j]);
            }
            MemorySegment.copy(half, 0, out, SHORT_LE, i * 2, len);
        }
        return new Weight(w.name(), d, w.rows(), w.cols(), out);
    }
}
