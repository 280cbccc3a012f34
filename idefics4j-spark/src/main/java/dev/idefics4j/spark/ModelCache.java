package dev.idefics4j.spark;

import dev.idefics4j.Idefics;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.TensorInfo;
import dev.idefics4j.tensor.Bf16DotWeight;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.Parallel;
import dev.idefics4j.tensor.WeightFormats;
import dev.idefics4j.tensor.quant.Quantization;
import dev.idefics4j.tensor.quant.QuantizedLoading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One loaded model per executor JVM and {@link ModelSpec}: every task and SQL function call in the JVM shares it, so
 * the weights are mapped (or downloaded) once however many partitions run there. It lives as long as the JVM.
 * Each load is logged at INFO through Spark's logging (the executor's log on a cluster), so that a user can see
 * which checkpoint each executor loaded, in which weight format, how long it took, and that it happened once.
 */
final class ModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
    private static final ConcurrentHashMap<ModelSpec, Idefics> MODELS = new ConcurrentHashMap<>();

    private ModelCache() {
    }

    /** The model, loaded by the first caller while the others for the same spec wait; a failed load is retried. */
    static Idefics get(ModelSpec spec) {
        return MODELS.computeIfAbsent(spec, ModelCache::load);
    }

    private static Idefics load(ModelSpec spec) {
        long start = System.nanoTime();
        Idefics idefics = Idefics.load(spec.options());
        long millis = (System.nanoTime() - start) / 1_000_000;
        String dir = idefics.dir().toString();
        LOG.info("idefics4j model loaded in {} ms: {}, {} weights, {} compute thread(s)", millis,
                dir.equals(spec.model()) ? dir : spec.model() + " (" + dir + ")", weightFormat(idefics, spec),
                Parallel.threads());
        return idefics;
    }

    /**
     * The linear layers' format as the CLI names it: the quantization ({@code nf4}, {@code nf4-dq}, {@code fp4},
     * {@code int8}; a pre-quantized checkpoint's own) or else the checkpoint's float type ({@code bf16}, {@code f16},
     * {@code f32}); with the bf16 dot-product kernels {@code bf16-dot}, or {@code FORMAT+bf16-dot} over a quantized
     * format (as the bench reports it).
     */
    static String weightFormat(Idefics idefics, ModelSpec spec) {
        Quantization stored = QuantizedLoading.stored(idefics.dir());
        Quantization q = stored.enabled() ? stored : Quantization.parse(spec.quantize(), spec.doubleQuant());
        if (!q.enabled()) {
            return spec.bf16Dot() ? Bf16DotWeight.FORMAT : WeightFormats.name(storedFloatType(idefics.model()
                    .checkpoint()));
        }
        return spec.bf16Dot() ? q.formatName() + "+" + Bf16DotWeight.FORMAT : q.formatName();
    }

    /** The floating-point type holding most of the checkpoint's bytes. */
    private static DType storedFloatType(Checkpoint checkpoint) {
        Map<DType, Long> bytes = new EnumMap<>(DType.class);
        for (String name : checkpoint.tensorNames()) {
            TensorInfo info = checkpoint.info(name);
            if (info.dtype().isFloatingPoint()) {
                bytes.merge(info.dtype(), info.byteSize(), Long::sum);
            }
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow(() ->
                new IllegalStateException(checkpoint.dir() + " holds no floating-point tensor")).getKey();
    }
}
