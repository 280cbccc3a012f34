package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.Weight;

/**
 * The language-model head, {@code logits = h · Wᵀ} over the whole vocabulary; with tied embeddings W is the token
 * embedding itself.
 */
public final class LmHead {
    private final Weight weight;

    public LmHead(Weight weight) {
        this.weight = weight;
    }

    /**
     * {@code headName} [vocab_size, hidden_size], or the embedding when {@code tie_word_embeddings} is set and the
     * checkpoint has no head of its own (as the reference ties them on loading).
     */
    public static LmHead load(LlamaConfig c, Checkpoint ckpt, TokenEmbedding embedding, String headName) {
        if (c.tieWordEmbeddings() && !ckpt.contains(headName)) {
            return new LmHead(embedding.weight());
        }
        return new LmHead(ckpt.weight(headName, c.vocabSize(), c.hiddenSize()));
    }

    public int vocabSize() {
        return weight.rows();
    }

    /** Bytes of the matrix, all read for every token. */
    public long byteSize() {
        return weight.byteSize();
    }

    /**
     * Logits of a pass's normed hidden states [rows·tokens, hidden]: at every position, or at each row's last one
     * only ([rows, vocab_size]), which is all generation needs of a prompt.
     */
    public float[] forward(float[] h, int rows, int tokens, boolean allPositions) {
        if (allPositions || tokens == 1) {
            return forward(h, rows * tokens);
        }
        int hidden = weight.cols();
        float[] last = new float[rows * hidden];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(h, ((b + 1) * tokens - 1) * hidden, last, b * hidden, hidden);
        }
        return forward(last, rows);
    }

    /** Logits of {@code n} rows of {@code h}, [n, vocab_size]. */
    public float[] forward(float[] h, int n) {
        float[] out = new float[n * weight.rows()];
        Kernels.matmul(h, n, weight, out);
        return out;
    }
}
