package dev.idefics4j.tensor.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.Weight;

import java.util.Locale;

/**
 * How the linear layers of a model are kept, as transformers' {@code BitsAndBytesConfig} would quantize them:
 * {@code load_in_4bit} with {@code bnb_4bit_quant_type} "fp4" (its default) or "nf4", optionally
 * {@code bnb_4bit_use_double_quant}, blocks of {@link #blocksize()} (bitsandbytes uses 64); or {@code load_in_8bit}
 * (LLM.int8 row-wise absmax). Everything else (embeddings, norms, the patch convolution, the lm head and its
 * additional_fc, which transformers' {@code get_keys_to_not_convert} also leaves alone) stays as stored.
 * <p>
 * Compute dtype: products are always accumulated in float32 from weights dequantized to float32, which corresponds
 * to {@code bnb_4bit_compute_dtype=torch.float32} (bitsandbytes with float16 compute rounds the dequantized weight
 * to float16 first, so its logits differ from ours by that rounding).
 */
public record Quantization(Method method, boolean doubleQuant, int blocksize) {
    /** bitsandbytes' 4-bit block size ({@code quantize_4bit(blocksize=64)}). */
    public static final int DEFAULT_BLOCKSIZE = 64;
    public static final Quantization NONE = new Quantization(Method.NONE, false, DEFAULT_BLOCKSIZE);
    public static final Quantization FP4 = new Quantization(Method.FP4, false, DEFAULT_BLOCKSIZE);
    public static final Quantization NF4 = new Quantization(Method.NF4, false, DEFAULT_BLOCKSIZE);
    public static final Quantization INT8 = new Quantization(Method.INT8, false, DEFAULT_BLOCKSIZE);

    public enum Method {
        NONE, FP4, NF4, INT8;

        public boolean fourBit() {
            return this == FP4 || this == NF4;
        }
    }

    public Quantization {
        if (method == null) {
            throw new IllegalArgumentException("quantization method must not be null");
        }
        if (doubleQuant && !method.fourBit()) {
            throw new IllegalArgumentException("double quantization applies to 4-bit weights (fp4, nf4), not "
                    + method.name().toLowerCase(Locale.ROOT));
        }
        if (blocksize < 2 || Integer.bitCount(blocksize) != 1) {
            throw new IllegalArgumentException("blocksize must be a power of two, got " + blocksize);
        }
    }

    /**
     * {@code "none"}, {@code "fp4"}, {@code "nf4"} or {@code "int8"} (case-insensitive; "8bit"/"4bit" too), and the
     * {@link #formatName()}s: a 4-bit name may end in {@code -dq} (double quantization) and any in {@code -b<N>}
     * (blocksize N), e.g. {@code nf4-dq}.
     */
    /** {@link #parse(String)}, with double quantization added when {@code doubleQuant} (the CLI's --double-quant). */
    public static Quantization parse(String name, boolean doubleQuant) {
        Quantization q = parse(name);
        return doubleQuant ? q.withDoubleQuant(true) : q;
    }

    public static Quantization parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        int blocksize = DEFAULT_BLOCKSIZE;
        int b = n.lastIndexOf("-b");
        if (b > 0 && n.length() > b + 2 && n.substring(b + 2).chars().allMatch(Character::isDigit)) {
            blocksize = Integer.parseInt(n.substring(b + 2));
            n = n.substring(0, b);
        }
        boolean doubleQuant = n.endsWith("-dq");
        if (doubleQuant) {
            n = n.substring(0, n.length() - 3);
        }
        Quantization q = switch (n) {
            case "none", "bf16", "" -> NONE;
            case "fp4", "4bit" -> FP4;
            case "nf4" -> NF4;
            case "int8", "8bit" -> INT8;
            default -> throw new IllegalArgumentException("unknown quantization '" + name
                    + "'; expected none, fp4, nf4 or int8 (fp4-dq, nf4-dq: with double quantization)");
        };
        if ((doubleQuant || blocksize != DEFAULT_BLOCKSIZE) && !q.enabled()) {
            throw new IllegalArgumentException("unknown quantization '" + name + "': none takes no suffix");
        }
        return new Quantization(q.method, doubleQuant, blocksize);
    }

    /**
     * The name {@link #parse} reads back and {@link QuantizedFormat} registers: {@code fp4}, {@code nf4},
     * {@code int8}, {@code none}; {@code -dq} appended with double quantization, {@code -b<N>} with a blocksize
     * other than 64.
     */
    public String formatName() {
        String s = method.name().toLowerCase(Locale.ROOT);
        if (doubleQuant) {
            s += "-dq";
        }
        return blocksize != DEFAULT_BLOCKSIZE ? s + "-b" + blocksize : s;
    }

    public Quantization withDoubleQuant(boolean on) {
        return new Quantization(method, on, blocksize);
    }

    public Quantization withBlocksize(int size) {
        return new Quantization(method, doubleQuant, size);
    }

    public boolean enabled() {
        return method != Method.NONE;
    }

    /** The 4-bit code of FP4 or NF4. */
    public FourBitCode code() {
        return switch (method) {
            case FP4 -> FourBitCode.FP4;
            case NF4 -> FourBitCode.NF4;
            default -> throw new IllegalStateException(this + " is not a 4-bit quantization");
        };
    }

    /** Quantizes one linear weight; the stored weight itself when {@link Method#NONE}. */
    public MatrixWeight quantize(Weight w) {
        return switch (method) {
            case NONE -> w;
            case FP4, NF4 -> FourBitQuantizer.quantize(w, code(), blocksize, doubleQuant);
            case INT8 -> Int8Weight.quantize(w);
        };
    }

    /**
     * The {@code quantization_config} transformers writes into config.json for this setting (bitsandbytes keys),
     * plus {@code blocksize}; null for {@link Method#NONE}.
     */
    public ObjectNode toConfig() {
        if (!enabled()) {
            return null;
        }
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("quant_method", "bitsandbytes");
        c.put("load_in_4bit", method.fourBit());
        c.put("load_in_8bit", method == Method.INT8);
        c.put("bnb_4bit_quant_type", method == Method.NF4 ? "nf4" : "fp4");
        c.put("bnb_4bit_use_double_quant", doubleQuant);
        c.put("bnb_4bit_compute_dtype", "float32");
        c.put("bnb_4bit_quant_storage", "uint8");
        c.put("llm_int8_threshold", 6.0);
        c.put("llm_int8_has_fp16_weight", false);
        c.put("blocksize", blocksize);
        return c;
    }

    /** The quantization a config.json's {@code quantization_config} describes; {@link #NONE} when absent or null. */
    public static Quantization fromConfig(JsonNode config) {
        if (config == null || config.isNull() || config.isMissingNode()) {
            return NONE;
        }
        String methodName = config.path("quant_method").asText("bitsandbytes");
        if (!methodName.equals("bitsandbytes")) {
            throw new IllegalArgumentException("quantization_config.quant_method is \"" + methodName
                    + "\"; idefics4j reads bitsandbytes-quantized checkpoints only");
        }
        boolean four = config.path("load_in_4bit").asBoolean(config.path("_load_in_4bit").asBoolean(false));
        boolean eight = config.path("load_in_8bit").asBoolean(config.path("_load_in_8bit").asBoolean(false));
        if (four == eight) {
            throw new IllegalArgumentException("quantization_config must set exactly one of load_in_4bit and "
                    + "load_in_8bit");
        }
        int blocksize = config.path("blocksize").asInt(DEFAULT_BLOCKSIZE);
        if (eight) {
            return new Quantization(Method.INT8, false, blocksize);
        }
        FourBitCode code = FourBitCode.fromBnbName(config.path("bnb_4bit_quant_type").asText("fp4"));
        return new Quantization(code == FourBitCode.NF4 ? Method.NF4 : Method.FP4,
                config.path("bnb_4bit_use_double_quant").asBoolean(false), blocksize);
    }

    @Override
    public String toString() {
        if (!enabled()) {
            return "none";
        }
        String s = method.name().toLowerCase(Locale.ROOT);
        if (doubleQuant) {
            s += "+double-quant";
        }
        return method.fourBit() && blocksize != DEFAULT_BLOCKSIZE ? s + " (blocksize " + blocksize + ")" : s;
    }
}
