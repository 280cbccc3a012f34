package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.tensor.Weight;

/** {@code nn.Embedding} of the text model ({@code embed_tokens}): token id → its row, kept in the stored dtype. */
public final class TokenEmbedding {
    private final Weight weight;

    public TokenEmbedding(Weight weight) {
        this.weight = weight;
    }

    /** {@code name} [vocab_size, hidden_size], e.g. {@code model.text_model.embed_tokens.weight}. */
    public static TokenEmbedding load(LlamaConfig c, Checkpoint ckpt, String name) {
        return new TokenEmbedding(ckpt.weight(name, c.vocabSize(), c.hiddenSize()));
    }

    public Weight weight() {
        return weight;
    }

    /** Writes the embedding of {@code id} to {@code out} at {@code offset}. */
    public void lookup(int id, float[] out, int offset) {
        if (id < 0 || id >= weight.rows()) {
            throw new IllegalArgumentException("token id " + id + " is outside the model's vocabulary [0, "
                    + weight.rows() + ")");
        }
        weight.readRow(id, out, offset);
    }
}
