package dev.idefics4j.model.idefics;

import dev.idefics4j.tensor.Weight;

/**
 * IdeficsDecoupledEmbedding: ids below {@code vocab_size} index {@code embed_tokens.weight}; the added tokens
 * ({@code <fake_token_around_image>}, {@code <image>}, {@code <end_of_utterance>}) index
 * {@code additional_embedding.weight} at {@code id - vocab_size}.
 */
final class DecoupledEmbedding {
    private final Weight weight;
    private final Weight additional;
    private final int hidden;

    DecoupledEmbedding(Weight weight, Weight additional) {
        this.weight = weight;
        this.additional = additional;
        this.hidden = weight.cols();
    }

    int vocabSize() {
        return weight.rows() + (additional == null ? 0 : additional.rows());
    }

    void lookup(int id, float[] out, int offset) {
        if (id >= 0 && id < weight.rows()) {
            weight.readRow(id, out, offset);
        } else if (additional != null && id >= weight.rows() && id < vocabSize()) {
            additional.readRow(id - weight.rows(), out, offset);
        } else {
            throw new IllegalArgumentException("token id " + id + " is outside the model's vocabulary [0, "
                    + vocabSize() + ")");
        }
    }

    int hidden() {
        return hidden;
    }
}
