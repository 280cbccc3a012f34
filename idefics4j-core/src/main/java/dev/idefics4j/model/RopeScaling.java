package dev.idefics4j.model;

import dev.idefics4j.checkpoint.ConfigReader;

/**
 * Llama 3.1's rotary scaling ({@code rope_scaling} with {@code rope_type} "llama3"): long wavelengths are divided
 * by {@code factor}, short ones kept, and those between blended (see {@link RotaryEmbedding}).
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) {

    public RopeScaling {
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("rope_scaling.factor must be at least 1, got " + factor);
        }
        if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)) {
            throw new IllegalArgumentException("rope_scaling needs 0 < low_freq_factor < high_freq_factor, got "
                    + lowFreqFactor + " and " + highFreqFactor);
        }
    }

    /**
     * {@code rope_scaling} of a text config: null when absent or of type "default"; a "llama3" object; any other
     * type is rejected by name.
     */
    static RopeScaling read(ConfigReader text) {
        ConfigReader r = text.object("rope_scaling");
        if (r == null) {
            return null;
        }
        // "type" is the field's older name, as the reference still accepts it.
        String type = r.has("rope_type") ? r.string("rope_type", "default") : r.string("type", "default");
        return switch (type) {
            case "default" -> null;
            case "llama3" -> {
                for (String field : new String[]{"factor", "low_freq_factor", "high_freq_factor",
                        "original_max_position_embeddings"}) {
                    if (!r.has(field)) {
                        throw r.error(field, "is missing; rope_type \"llama3\" needs factor, low_freq_factor, "
                                + "high_freq_factor and original_max_position_embeddings");
                    }
                }
                try {
                    yield new RopeScaling(r.positiveDouble("factor", 1), r.positiveDouble("low_freq_factor", 1),
                            r.positiveDouble("high_freq_factor", 4), r.positiveInt("original_max_position_embeddings",
                            8192));
                } catch (IllegalArgumentException e) {
                    throw text.error("rope_scaling", e.getMessage());
                }
            }
            default -> throw r.error("rope_type", "is \"" + type + "\"; idefics4j supports rotary scaling of type "
                    + "\"llama3\" only (or none)");
        };
    }
}
