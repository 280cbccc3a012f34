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

    /** The embeddings of {@code ids} ([rows][tokens], rows of equal length), [rows · tokens, hidden]. */
    public float[] embed(int[][] ids) {
        int hidden = weight.cols();
        int tokens = ids.length == 0 ? 0 : ids[0].length;
        float[] h = new float[ids.length * tokens * hidden];
        for (int b = 0; b < ids.length; b++) {
            for (int t = 0; t < tokens; t++) {
                lookup(ids[b][t], h, (b * tokens + t) * hidden);
            }
        }
        return h;
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
