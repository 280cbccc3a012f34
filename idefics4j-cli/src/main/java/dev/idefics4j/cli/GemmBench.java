package dev.idefics4j.cli;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.WeightFormat;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The bench's {@code gemm} section for any family: a prefill-shaped product with the text decoder's first MLP matrix
 * ({@code tokens × hidden} by {@code intermediate × hidden}) and one image's product with the vision tower's first MLP
 * matrix, in the format the model was loaded in; figures {@code gemm_*} and {@code vision_gemm_*}.
 */
final class GemmBench {
    private final BenchSettings s;
    private final Consumer<String> progress;
    private final SplittableRandom random;

    GemmBench(BenchSettings settings, Consumer<String> progress, SplittableRandom random) {
        this.s = settings;
        this.progress = progress;
        this.random = random;
    }

    /**
     * @param decoderLayer0 the prefix of the decoder's layer 0, whose {@code mlp.gate_proj} is timed
     * @param visionTokens  one image's tokens in the tower, whose layer 0 {@code mlp.fc1} is timed
     */
    void run(Map<String, Object> r, Checkpoint ckpt, WeightFormat format, String decoderLayer0, LlamaConfig text,
             int visionEmbed, int visionIntermediate, int visionTokens) {
        MatrixWeight gate = format.apply(ckpt.weight(decoderLayer0 + "mlp.gate_proj.weight", text.intermediateSize(),
                text.hiddenSize()));
        MatrixWeight fc1 = format.apply(ckpt.weight("model.vision_model.encoder.layers.0.mlp.fc1.weight",
                visionIntermediate, visionEmbed));
        int tokens = s.promptTokens();
        String shape = shape(tokens, gate);
        progress.accept("gemm " + shape);
        Samples t = time(gate, tokens);
        r.put("gemm_shape", shape);
        r.put("gemm_s", t.json());
        r.put("gemm_gflops", Samples.round(2.0 * tokens * gate.cols() * gate.rows() / t.median() / 1e9));
        String visionShape = shape(visionTokens, fc1);
        progress.accept("gemm " + visionShape + " (vision)");
        Samples tv = time(fc1, visionTokens);
        r.put("vision_gemm_shape", visionShape);
        r.put("vision_gemm_gflops", Samples.round(2.0 * visionTokens * fc1.cols() * fc1.rows() / tv.median() / 1e9));
    }

    private static String shape(int n, MatrixWeight w) {
        return n + "x" + w.cols() + " by " + w.rows() + "x" + w.cols();
    }

    private Samples time(MatrixWeight w, int n) {
        float[] x = TextLayerBench.randomStates(random, n * w.cols());
        float[] out = new float[n * w.rows()];
        return Samples.seconds(s.warmup(), s.reps(), () -> w.matmul(x, n, out));
    }
}
