package dev.idefics4j.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of one {@code generate} call under the reference's names and defaults (transformers 4.46
 * {@code GenerationConfig}): read from a checkpoint's {@code generation_config.json}, then overridden per call
 * ({@link #withOverrides(Map)} or {@link #toBuilder()}). Immutable; every instance has passed {@link Builder#build()}'s
 * checks. Limits that depend on the prompt ({@code max_length} against its length) are checked by the generator.
 */
public final class GenerationConfig {
    /** The reference's {@code max_length} when neither it nor {@code max_new_tokens} is given. */
    public static final int DEFAULT_MAX_LENGTH = 20;
    /** The reference's {@code top_k}; it only matters when sampling. */
    public static final int DEFAULT_TOP_K = 50;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Reference switches about what generate returns, not how it decodes: accepted and ignored. */
    private static final Set<String> IGNORED = Set.of("use_cache", "output_scores", "output_logits",
            "output_attentions", "output_hidden_states", "return_dict_in_generate", "_from_model_config",
            "transformers_version");

    /**
     * Reference parameters this implementation does not provide, with the value that means "off" (null also does):
     * a config that turns one on is rejected rather than silently decoded differently.
     */
    private static final Map<String, Object> UNSUPPORTED = Map.of("num_beam_groups", 1, "diversity_penalty", 0.0,
            "typical_p", 1.0, "epsilon_cutoff", 0.0, "eta_cutoff", 0.0, "encoder_repetition_penalty", 1.0,
            "encoder_no_repeat_ngram_size", 0, "guidance_scale", 1.0, "renormalize_logits", false,
            "remove_invalid_values", false);
    /** Unsupported reference parameters that are off only when null. */
    private static final Set<String> UNSUPPORTED_UNLESS_NULL = Set.of("penalty_alpha", "forced_bos_token_id",
            "forced_eos_token_id", "suppress_tokens", "begin_suppress_tokens", "sequence_bias",
            "exponential_decay_length_penalty", "constraints", "force_words_ids", "max_time",
            "prompt_lookup_num_tokens", "dola_layers", "watermarking_config", "forced_decoder_ids",
            "assistant_model");

    private final Integer maxNewTokens;
    private final Integer maxLength;
    private final Integer minNewTokens;
    private final int minLength;
    private final boolean doSample;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final Double minP;
    private final int numBeams;
    private final double lengthPenalty;
    private final EarlyStopping earlyStopping;
    private final int numReturnSequences;
    private final double repetitionPenalty;
    private final int noRepeatNgramSize;
    private final List<int[]> badWordsIds;
    private final List<String> badWords;
    private final List<String> stop;
    private final int[] eosTokenId;
    private final Integer padTokenId;
    private final Integer bosTokenId;
    private final Long seed;

    private GenerationConfig(Builder b) {
        maxNewTokens = b.maxNewTokens;
        maxLength = b.maxLength;
        minNewTokens = b.minNewTokens;
        minLength = b.minLength;
        doSample = b.doSample;
        temperature = b.temperature;
        topK = b.topK;
        topP = b.topP;
        minP = b.minP;
        numBeams = b.numBeams;
        lengthPenalty = b.lengthPenalty;
        earlyStopping = b.earlyStopping;
        numReturnSequences = b.numReturnSequences;
        repetitionPenalty = b.repetitionPenalty;
        noRepeatNgramSize = b.noRepeatNgramSize;
        badWordsIds = b.badWordsIds == null ? null : deepCopy(b.badWordsIds);
        badWords = b.badWords == null ? null : List.copyOf(b.badWords);
        stop = b.stop == null ? null : List.copyOf(b.stop);
        eosTokenId = b.eosTokenId == null ? null : b.eosTokenId.clone();
        padTokenId = b.padTokenId;
        bosTokenId = b.bosTokenId;
        seed = b.seed;
    }

    /** The reference defaults (no special tokens). */
    public static GenerationConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The generation config of a checkpoint folder: {@code generation_config.json} when present, else the special
     * token ids of {@code config.json} (as the reference derives it from the model config).
     */
    public static GenerationConfig load(Path checkpointDir) {
        Path file = checkpointDir.resolve("generation_config.json");
        if (Files.exists(file)) {
            return fromJson(readJson(file), false);
        }
        JsonNode model = readJson(checkpointDir.resolve("config.json"));
        Builder b = builder();
        for (String key : List.of("bos_token_id", "eos_token_id", "pad_token_id")) {
            if (model.hasNonNull(key)) {
                b.set(key, model.get(key));
            }
        }
        return b.build();
    }

    /**
     * A config from JSON in the format of {@code generation_config.json}.
     *
     * @param strict reject names that are not generation parameters this implementation knows (per-call overrides);
     *               a file may carry any of the reference's other parameters and those are ignored
     */
    public static GenerationConfig fromJson(JsonNode node, boolean strict) {
        return defaults().withOverrides(node, strict);
    }

    /** This config with the given parameters replaced, by reference name ({@code "max_new_tokens"}, ...). */
    public GenerationConfig withOverrides(Map<String, ?> overrides) {
        return withOverrides(JSON.valueToTree(overrides), true);
    }

    /** This config with the parameters of a JSON object (e.g. a call's {@code kwargs}) replaced. */
    public GenerationConfig withOverrides(JsonNode overrides, boolean strict) {
        if (overrides == null || !overrides.isObject()) {
            throw new IllegalArgumentException("generation parameters must be a JSON object, got " + overrides);
        }
        Builder b = toBuilder();
        Iterator<Map.Entry<String, JsonNode>> it = overrides.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (UNSUPPORTED.containsKey(name) || UNSUPPORTED_UNLESS_NULL.contains(name)) {
                if (!isOff(UNSUPPORTED.get(name), e.getValue())) {
                    throw new IllegalArgumentException("generation parameter '" + name + "' (" + e.getValue()
                            + ") is not supported by idefics4j");
                }
            } else if (!b.set(name, e.getValue()) && strict && !IGNORED.contains(name)) {
                throw new IllegalArgumentException("unknown generation parameter '" + name + "'");
            }
        }
        return b.build();
    }

    /** Whether {@code value} leaves an unsupported feature off; {@code off} is null where only null does. */
    private static boolean isOff(Object off, JsonNode value) {
        if (value == null || value.isNull()) {
            return true;
        }
        if (off instanceof Number n) {
            return value.isNumber() && value.doubleValue() == n.doubleValue();
        }
        if (off instanceof Boolean b) {
            return value.isBoolean() && value.booleanValue() == b;
        }
        return false;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<int[]> deepCopy(List<int[]> lists) {
        List<int[]> out = new ArrayList<>(lists.size());
        for (int[] l : lists) {
            out.add(l.clone());
        }
        return List.copyOf(out);
    }

    /** {@code max_new_tokens}; null when not set. */
    public Integer maxNewTokens() {
        return maxNewTokens;
    }

    /** {@code max_length} as set (it counts the prompt); null when not set. */
    public Integer maxLength() {
        return maxLength;
    }

    public Integer minNewTokens() {
        return minNewTokens;
    }

    public int minLength() {
        return minLength;
    }

    public boolean doSample() {
        return doSample;
    }

    public double temperature() {
        return temperature;
    }

    /** {@code top_k}; 0 disables it. */
    public int topK() {
        return topK;
    }

    public double topP() {
        return topP;
    }

    /** {@code min_p}; null when not set. */
    public Double minP() {
        return minP;
    }

    public int numBeams() {
        return numBeams;
    }

    public double lengthPenalty() {
        return lengthPenalty;
    }

    public EarlyStopping earlyStopping() {
        return earlyStopping;
    }

    public int numReturnSequences() {
        return numReturnSequences;
    }

    public double repetitionPenalty() {
        return repetitionPenalty;
    }

    public int noRepeatNgramSize() {
        return noRepeatNgramSize;
    }

    /** {@code bad_words_ids}; null when not set. */
    public List<int[]> badWordsIds() {
        return badWordsIds == null ? null : deepCopy(badWordsIds);
    }

    /** Strings whose ids are banned like {@code bad_words_ids} (encoded with the generator's tokenizer). */
    public List<String> badWords() {
        return badWords;
    }

    /** Stop strings (the reference's {@code stop_strings}). */
    public List<String> stop() {
        return stop;
    }

    /** {@code eos_token_id} as a list; null when there is none. */
    public int[] eosTokenId() {
        return eosTokenId == null ? null : eosTokenId.clone();
    }

    public Integer padTokenId() {
        return padTokenId;
    }

    public Integer bosTokenId() {
        return bosTokenId;
    }

    /** Seed of the sampling random numbers; null draws a fresh seed. */
    public Long seed() {
        return seed;
    }

    /** The effective {@code max_length} for a prompt of {@code promptLength} tokens, as the reference computes it. */
    public int effectiveMaxLength(int promptLength) {
        if (maxNewTokens != null) {
            return (int) Math.min(Integer.MAX_VALUE, (long) promptLength + maxNewTokens); // 2^31 - 1 must not wrap
        }
        return maxLength != null ? maxLength : DEFAULT_MAX_LENGTH;
    }

    /** The effective {@code min_length}: {@code min_new_tokens} counted from the prompt replaces {@code min_length}. */
    public int effectiveMinLength(int promptLength) {
        return minNewTokens != null ? promptLength + minNewTokens : minLength;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("GenerationConfig{");
        s.append("max_new_tokens=").append(maxNewTokens).append(", max_length=").append(maxLength)
                .append(", min_new_tokens=").append(minNewTokens).append(", min_length=").append(minLength)
                .append(", do_sample=").append(doSample).append(", temperature=").append(temperature)
                .append(", top_k=").append(topK).append(", top_p=").append(topP).append(", min_p=").append(minP)
                .append(", num_beams=").append(numBeams).append(", length_penalty=").append(lengthPenalty)
                .append(", early_stopping=").append(earlyStopping.referenceName())
                .append(", num_return_sequences=").append(numReturnSequences)
                .append(", repetition_penalty=").append(repetitionPenalty)
                .append(", no_repeat_ngram_size=").append(noRepeatNgramSize).append(", bad_words_ids=");
        if (badWordsIds == null) {
            s.append("null");
        } else {
            s.append(badWordsIds.stream().map(Arrays::toString).toList());
        }
        return s.append(", bad_words=").append(badWords).append(", stop=").append(stop)
                .append(", eos_token_id=").append(Arrays.toString(eosTokenId)).append(", pad_token_id=")
                .append(padTokenId).append(", bos_token_id=").append(bosTokenId).append(", seed=").append(seed)
                .append('}').toString();
    }

    /** Collects settings; {@link #build()} rejects contradictory or out-of-range values by parameter name. */
    public static final class Builder {
        private Integer maxNewTokens;
        private Integer maxLength;
        private Integer minNewTokens;
        private int minLength;
        private boolean doSample;
        private double temperature = 1.0;
        private int topK = DEFAULT_TOP_K;
        private double topP = 1.0;
        private Double minP;
        private int numBeams = 1;
        private double lengthPenalty = 1.0;
        private EarlyStopping earlyStopping = EarlyStopping.FALSE;
        private int numReturnSequences = 1;
        private double repetitionPenalty = 1.0;
        private int noRepeatNgramSize;
        private List<int[]> badWordsIds;
        private List<String> badWords;
        private List<String> stop;
        private int[] eosTokenId;
        private Integer padTokenId;
        private Integer bosTokenId;
        private Long seed;

        private Builder() {
        }

        private Builder(GenerationConfig c) {
            maxNewTokens = c.maxNewTokens;
            maxLength = c.maxLength;
            minNewTokens = c.minNewTokens;
            minLength = c.minLength;
            doSample = c.doSample;
            temperature = c.temperature;
            topK = c.topK;
            topP = c.topP;
            minP = c.minP;
            numBeams = c.numBeams;
            lengthPenalty = c.lengthPenalty;
            earlyStopping = c.earlyStopping;
            numReturnSequences = c.numReturnSequences;
            repetitionPenalty = c.repetitionPenalty;
            noRepeatNgramSize = c.noRepeatNgramSize;
            badWordsIds = c.badWordsIds;
            badWords = c.badWords;
            stop = c.stop;
            eosTokenId = c.eosTokenId;
            padTokenId = c.padTokenId;
            bosTokenId = c.bosTokenId;
            seed = c.seed;
        }

        public Builder maxNewTokens(Integer v) {
            maxNewTokens = v;
            return this;
        }

        public Builder maxLength(Integer v) {
            maxLength = v;
            return this;
        }

        public Builder minNewTokens(Integer v) {
            minNewTokens = v;
            return this;
        }

        public Builder minLength(int v) {
            minLength = v;
            return this;
        }

        public Builder doSample(boolean v) {
            doSample = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder minP(Double v) {
            minP = v;
            return this;
        }

        public Builder numBeams(int v) {
            numBeams = v;
            return this;
        }

        public Builder lengthPenalty(double v) {
            lengthPenalty = v;
            return this;
        }

        public Builder earlyStopping(EarlyStopping v) {
            earlyStopping = v;
            return this;
        }

        public Builder numReturnSequences(int v) {
            numReturnSequences = v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder noRepeatNgramSize(int v) {
            noRepeatNgramSize = v;
            return this;
        }

        public Builder badWordsIds(List<int[]> v) {
            badWordsIds = v;
            return this;
        }

        public Builder badWords(List<String> v) {
            badWords = v;
            return this;
        }

        public Builder stop(List<String> v) {
            stop = v;
            return this;
        }

        /** One or more ids; none (or null) means no end-of-sequence token. */
        public Builder eosTokenId(int... v) {
            eosTokenId = v == null || v.length == 0 ? null : v.clone();
            return this;
        }

        public Builder padTokenId(Integer v) {
            padTokenId = v;
            return this;
        }

        public Builder bosTokenId(Integer v) {
            bosTokenId = v;
            return this;
        }

        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        /** Sets one parameter by its reference name from JSON; false when the name is not a known parameter. */
        boolean set(String name, JsonNode v) {
            JsonValues j = new JsonValues(name, v);
            switch (name) {
                case "max_new_tokens" -> maxNewTokens = j.optionalInt();
                case "max_length" -> maxLength = j.optionalInt();
                case "min_new_tokens" -> minNewTokens = j.optionalInt();
                case "min_length" -> minLength = j.isNull() ? 0 : j.integer();
                case "do_sample" -> doSample = j.bool();
                case "temperature" -> temperature = j.isNull() ? 1.0 : j.number();
                case "top_k" -> topK = j.isNull() ? 0 : j.integer();
                case "top_p" -> topP = j.isNull() ? 1.0 : j.number();
                case "min_p" -> minP = j.isNull() ? null : j.number();
                case "num_beams" -> numBeams = j.integer();
                case "length_penalty" -> lengthPenalty = j.isNull() ? 1.0 : j.number();
                case "early_stopping" -> earlyStopping = j.earlyStopping();
                case "num_return_sequences" -> numReturnSequences = j.isNull() ? 1 : j.integer();
                case "repetition_penalty" -> repetitionPenalty = j.isNull() ? 1.0 : j.number();
                case "no_repeat_ngram_size" -> noRepeatNgramSize = j.isNull() ? 0 : j.integer();
                case "bad_words_ids" -> badWordsIds = j.isNull() ? null : j.intLists();
                case "bad_words" -> badWords = j.isNull() ? null : j.strings();
                case "stop", "stop_strings" -> stop = j.isNull() ? null : j.strings();
                case "eos_token_id" -> eosTokenId = j.isNull() ? null : j.intOrInts();
                case "pad_token_id" -> padTokenId = j.optionalInt();
                case "bos_token_id" -> bosTokenId = j.optionalInt();
                case "seed" -> seed = j.isNull() ? null : j.longValue();
                default -> {
                    return false;
                }
            }
            return true;
        }

        public GenerationConfig build() {
            GenerationConfig c = new GenerationConfig(this);
            GenerationConfigValidator.validate(c);
            return c;
        }
    }
}
