package dev.idefics4j.tensor.quant;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.idefics.IdeficsConfig;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.Parallel;
import dev.idefics4j.tensor.Weight;
import dev.idefics4j.testing.ModelRun;
import dev.idefics4j.testing.ProcessorInputs;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures quantized loading; a program, not part of the test suite (it takes minutes and wants a quiet machine).
 * <ol>
 * <li>quality: per checkpoint and setting, the cosine similarity of last-position logits to the unquantized model and
 * the share of argmax tokens that agree while decoding the unquantized model's greedy continuation (teacher-forced,
 * so one early disagreement does not count for every later token), over the fixtures' processor prompts;</li>
 * <li>memory: resident bytes of the quantized linear weights per parameter (scales and maps included);</li>
 * <li>speed: one decoding step's matrix-vector products (n = 1) over the 9b-shaped decoder stack, every format side by
 * side in one run, rounds interleaved, median after warm-up;</li>
 * <li>matrices: output and weight error of single matrices of realistic size, Gaussian and uniform weights;</li>
 * <li>gaussian: the quality figures of the 9b-shaped model with its linear weights redrawn from a Gaussian of the
 * same variance as the random checkpoints' uniform ones.</li>
 * </ol>
 * Run from the repository root:
 * <pre>
 * mvn -B -q -o -pl idefics4j-core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/idefics4j-cp.txt
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=16g \
 *   -cp "$(cat /tmp/idefics4j-cp.txt):idefics4j-core/target/classes:idefics4j-core/target/test-classes" \
 *   dev.idefics4j.tensor.quant.QuantizationReport [--ckpt9b /tmp/ckpt-9b] \
 *   [--parts quality,memory,speed,matrices,gaussian] [--speed-rounds 15]
 * </pre>
 * The 9b-shaped checkpoint comes from {@code ./idefics4j random-checkpoint --like idefics-9b --text-layers 2 --out
 * /tmp/ckpt-9b}.
 */
public final class QuantizationReport {
    private static final Quantization[] SETTINGS = {Quantization.FP4, Quantization.NF4,
            Quantization.NF4.withDoubleQuant(true), Quantization.INT8};
    private static final String[] FIXTURES = {"tiny", "tiny-80b-style", "tiny-noresampler"};
    /** Prompts of the 9b-shaped runs: one with an image, one without (its vision tower is the costly part). */
    private static final String[] PROMPTS_9B = {"text_image_text", "text_only"};
    private static final int STEPS = 8;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private QuantizationReport() {
    }

    public static void main(String[] args) {
        Path ckpt9b = Path.of("/tmp/ckpt-9b");
        List<String> parts = List.of("quality", "memory", "speed", "matrices", "gaussian");
        int speedRounds = 15;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ckpt9b" -> ckpt9b = Path.of(args[++i]);
                case "--parts" -> parts = List.of(args[++i].split(","));
                case "--speed-rounds" -> speedRounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.printf("threads %d, vector %s%n", Parallel.threads(),
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
        boolean have9b = Files.isRegularFile(ckpt9b.resolve("config.json"));
        if (!have9b) {
            System.out.println("no 9b-shaped checkpoint at " + ckpt9b + "; its parts are skipped");
        }
        if (parts.contains("quality") || parts.contains("memory")) {
            System.out.println("\n## Quality and memory (logits cosine to unquantized; teacher-forced greedy argmax "
                    + "agreement over " + STEPS + " steps; linear-weight bytes per parameter)");
            for (String m : FIXTURES) {
                quality(m, TestData.model(m), fixturePrompts(m), Loader.STORED);
            }
            if (have9b) {
                quality("9b-shaped", ckpt9b, prompts9b(ckpt9b), Loader.STORED);
            }
        }
        if (parts.contains("speed") && have9b) {
            speed(ckpt9b, speedRounds);
        }
        if (parts.contains("matrices")) {
            matrices();
        }
        if (parts.contains("gaussian")) {
            if (have9b) {
                System.out.println("\n## 9b-shaped model, linear weights redrawn from N(0, 1/fan_in)");
                quality("9b-gaussian", ckpt9b, prompts9b(ckpt9b), Loader.GAUSSIAN);
            }
        }
    }

    /** How a run makes each linear weight before quantizing it: as stored, or redrawn from a Gaussian. */
    private enum Loader {
        STORED, GAUSSIAN
    }

    private static List<ProcessorInputs> fixturePrompts(String model) {
        List<ProcessorInputs> out = new ArrayList<>();
        for (String id : ReferenceCase.cases(TestData.reference(model + "/processor.json")).keySet()) {
            out.add(ProcessorInputs.load(model, "processor.json#" + id));
        }
        return out;
    }

    /** The tiny fixture's single-row prompts with pixel values redrawn at the 9b image size (its vocabulary fits). */
    private static List<ProcessorInputs> prompts9b(Path dir) {
        IdeficsConfig config = IdeficsConfig.load(dir.resolve("config.json"));
        int size = config.visionConfig().imageSize();
        List<ProcessorInputs> out = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(42);
        for (String id : PROMPTS_9B) {
            ProcessorInputs in = ProcessorInputs.load("tiny", "processor.json#" + id);
            boolean fits = Arrays.stream(in.inputIds()).flatMapToInt(Arrays::stream)
                    .allMatch(t -> t < config.totalVocabSize());
            if (in.rows() == 1 && fits) {
                int values = in.rows() * in.numImages() * 3 * size * size;
                float[] pixels = FourBitQuantizationTest.gaussian(rnd, values, 1.0);
                out.add(new ProcessorInputs(in.inputIds(), in.attentionMask(), in.imageAttentionMask(), pixels,
                        in.numImages()));
            }
        }
        return out;
    }

    private static void quality(String label, Path dir, List<ProcessorInputs> prompts, Loader loader) {
        long t0 = System.nanoTime();
        List<ModelRun.Decoded> reference = new ArrayList<>();
        double refBytesPerParam;
        try (IdeficsModel ref = IdeficsModel.load(dir, recording(Quantization.NONE, loader, new long[2]))) {
            for (ProcessorInputs in : prompts) {
                reference.add(ModelRun.decode(ref, in, STEPS, null));
            }
        }
        System.out.printf("%n%s: %d prompts, unquantized reference in %.1f s%n", label, prompts.size(),
                (System.nanoTime() - t0) / 1e9);
        System.out.println("| setting | cosine mean | cosine min | argmax agreement | bytes/param | load s | run s |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Quantization q : SETTINGS) {
            long[] sizes = new long[2];
            long l0 = System.nanoTime();
            try (IdeficsModel m = IdeficsModel.load(dir, recording(q, loader, sizes))) {
                long l1 = System.nanoTime();
                double cosSum = 0;
                double cosMin = 1;
                int rows = 0;
                int agree = 0;
                int total = 0;
                int vocab = m.vocabSize();
                for (int p = 0; p < prompts.size(); p++) {
                    ModelRun.Decoded r = reference.get(p);
                    ModelRun.Decoded d = ModelRun.decode(m, prompts.get(p), STEPS, r.argmax());
                    for (int b = 0; b < r.argmax().length; b++) {
                        double c = ModelRun.cosine(Arrays.copyOfRange(r.firstLogits(), b * vocab, (b + 1) * vocab),
                                Arrays.copyOfRange(d.firstLogits(), b * vocab, (b + 1) * vocab));
                        cosSum += c;
                        cosMin = Math.min(cosMin, c);
                        rows++;
                        for (int s = 0; s < STEPS; s++) {
                            agree += r.argmax()[b][s] == d.argmax()[b][s] ? 1 : 0;
                            total++;
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "| %s | %.5f | %.5f | %.1f%% (%d/%d) | %.4f | %.1f | %.1f |%n", q,
                        cosSum / rows, cosMin, 100.0 * agree / total, agree, total, (double) sizes[0] / sizes[1],
                        (l1 - l0) / 1e9, (System.nanoTime() - l1) / 1e9);
            }
        }
    }

    /**
     * A loader making each linear weight as {@code loader} says, quantized by {@code q}; adds the resident bytes and
     * the parameter count of the linear weights to {@code sizes}.
     */
    private static Checkpoint.LinearLoader recording(Quantization q, Loader loader, long[] sizes) {
        return (ckpt, name, shape) -> {
            Weight stored = ckpt.weight(name, shape);
            Weight w = loader == Loader.GAUSSIAN ? gaussianWeight(stored) : stored;
            MatrixWeight m = q.quantize(w);
            sizes[0] += m.byteSize();
            sizes[1] += (long) m.rows() * m.cols();
            return m;
        };
    }

    /**
     * A float32 weight of {@code like}'s shape drawn from N(0, 1/fan_in), seeded by its name (float32 so the
     * unquantized reference runs the plain float kernel).
     */
    private static Weight gaussianWeight(Weight like) {
        int rows = like.rows();
        int cols = like.cols();
        MemorySegment data = Arena.ofAuto().allocate(4L * rows * cols, 64);
        double std = 1 / Math.sqrt(cols);
        long seed = like.name().hashCode();
        Parallel.forChunks(rows, cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + r);
                float[] row = FourBitQuantizationTest.gaussian(rnd, cols, std);
                MemorySegment.copy(row, 0, data, F32, 4L * r * cols, cols);
            }
        });
        return new Weight(like.name(), DType.F32, rows, cols, data);
    }

    /** The linear weights one decoding step multiplies: self-attention and MLP of every layer, cross q/o and MLP. */
    private static boolean decodeStack(String name) {
        boolean decoder = name.startsWith("model.layers.") && (name.contains("_proj.weight"));
        boolean cross = name.startsWith("model.gated_cross_attn_layers.") && name.contains("_proj.weight")
                && !name.contains("k_proj") && !name.contains("v_proj");
        return decoder || cross;
    }

    private static void speed(Path dir, int rounds) {
        System.out.println("\n## Decode speed: one token (n = 1) through the 9b-shaped decoder stack's linear layers "
                + "(all weights resident in memory)");
        Map<String, List<MatrixWeight>> formats = new LinkedHashMap<>();
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            List<Weight> stored = new ArrayList<>();
            for (String name : ckpt.tensorNames()) {
                if (decodeStack(name)) {
                    long[] shape = ckpt.info(name).shape();
                    stored.add(resident(ckpt.weight(name, shape)));
                }
            }
            formats.put("bf16", new ArrayList<>(stored));
            for (Quantization q : SETTINGS) {
                List<MatrixWeight> ws = new ArrayList<>();
                for (Weight w : stored) {
                    ws.add(q.quantize(w));
                }
                formats.put(q.toString(), ws);
            }
            long params = 0;
            for (Weight w : stored) {
                params += (long) w.rows() * w.cols();
            }
            SplittableRandom rnd = new SplittableRandom(3);
            Map<MatrixWeight, float[]> inputs = new LinkedHashMap<>();
            int maxRows = 0;
            for (List<MatrixWeight> ws : formats.values()) {
                for (MatrixWeight w : ws) {
                    inputs.put(w, FourBitQuantizationTest.gaussian(rnd, w.cols(), 1.0));
                    maxRows = Math.max(maxRows, w.rows());
                }
            }
            float[] out = new float[maxRows];
            Map<String, long[]> times = new LinkedHashMap<>();
            formats.keySet().forEach(f -> times.put(f, new long[rounds]));
            int warmup = 5;
            for (int round = -warmup; round < rounds; round++) {
                for (Map.Entry<String, List<MatrixWeight>> f : formats.entrySet()) {
                    long s = System.nanoTime();
                    for (MatrixWeight w : f.getValue()) {
                        w.matmul(inputs.get(w), 1, out);
                    }
                    long e = System.nanoTime();
                    if (round >= 0) {
                        times.get(f.getKey())[round] = e - s;
                    }
                }
            }
            System.out.printf("%d weights, %.0f M parameters; %d rounds after %d warm-up, formats interleaved%n",
                    stored.size(), params / 1e6, rounds, warmup);
            System.out.println("| format | median ms/token | min ms | weight MB | GB/s | speed-up vs bf16 |");
            System.out.println("|---|---|---|---|---|---|");
            double bf16 = 0;
            for (Map.Entry<String, long[]> t : times.entrySet()) {
                long[] v = t.getValue().clone();
                Arrays.sort(v);
                double median = v[v.length / 2] / 1e6;
                if (t.getKey().equals("bf16")) {
                    bf16 = median;
                }
                long bytes = formats.get(t.getKey()).stream().mapToLong(MatrixWeight::byteSize).sum();
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.0f | %.1f | %.2fx |%n", t.getKey(), median,
                        v[0] / 1e6, bytes / 1e6, bytes / (median * 1e6), bf16 / median);
            }
        }
    }

    /**
     * {@code w} copied into memory: the model maps bf16 weights from the file, and under memory pressure mapped pages
     * are dropped and read again, which would time the disk rather than the kernel.
     */
    private static Weight resident(Weight w) {
        MemorySegment copy = Arena.ofAuto().allocate(w.data().byteSize(), 64);
        copy.copyFrom(w.data());
        return new Weight(w.name(), w.dtype(), w.rows(), w.cols(), copy);
    }

    /**
     * Single matrices of realistic size, W drawn from N(0, 0.02^2) (the usual initialisation, roughly what trained
     * weights look like) or from the random checkpoints' uniform distribution of the same variance, x ~ N(0, 1).
     */
    private static void matrices() {
        System.out.println("\n## Single matrices of realistic size, 8 tokens x ~ N(0, 1)");
        System.out.println("| weights | shape | setting | output cosine | relative output RMS error "
                + "| relative weight RMS error |");
        System.out.println("|---|---|---|---|---|---|");
        int[][] shapes = {{4096, 4096}, {11008, 4096}, {4096, 11008}};
        int n = 8;
        for (boolean uniform : new boolean[]{false, true}) {
            for (int[] s : shapes) {
                int rows = s[0];
                int cols = s[1];
                SplittableRandom rnd = new SplittableRandom(rows * 31L + cols);
                float[] w = FourBitQuantizationTest.gaussian(rnd, rows * cols, 0.02);
                if (uniform) {
                    double a = Math.sqrt(3) * 0.02;
                    for (int i = 0; i < w.length; i++) {
                        w[i] = (float) ((rnd.nextDouble() * 2 - 1) * a);
                    }
                }
                float[] x = FourBitQuantizationTest.gaussian(rnd, n * cols, 1.0);
                Weight weight = FourBitQuantizationTest.f32("matrix", rows, cols, w);
                float[] exact = new float[n * rows];
                weight.matmul(x, n, exact);
                for (Quantization q : SETTINGS) {
                    QuantizedWeight m = (QuantizedWeight) q.quantize(weight);
                    float[] y = new float[n * rows];
                    m.matmul(x, n, y);
                    System.out.printf(Locale.ROOT, "| %s | %dx%d | %s | %.6f | %.4f | %.4f |%n",
                            uniform ? "uniform" : "N(0, 0.02^2)", rows, cols, q, ModelRun.cosine(exact, y),
                            relRms(exact, y), relRms(w, m.dequantize()));
                }
            }
        }
    }

    private static double relRms(float[] ref, float[] got) {
        double err = 0;
        double norm = 0;
        for (int i = 0; i < ref.length; i++) {
            err += (double) (got[i] - ref[i]) * (got[i] - ref[i]);
            norm += (double) ref[i] * ref[i];
        }
        return Math.sqrt(err / norm);
    }
}
