package dev.idefics4j.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What a model keeps of a batch of sequences between calls: their KV cache and what its family needs of the
 * prompt at later steps ({@link PromptState}). Rows are reordered, repeated (beams, return sequences) or split into
 * states of their own (continuous batching) with their cache.
 */
public final class DecodingState {
    private final KvCache cache;
    private PromptState prompt;

    /** A family's per-row data of the prompt, read at every step; shared between rows, never written. */
    public interface PromptState {
        /** Nothing after the prefill (families whose images enter with the prompt's embeddings). */
        PromptState NONE = new PromptState() {
            @Override
            public PromptState select(int[] sources) {
                return this;
            }
        };

        /** A state whose row i is this one's row {@code sources[i]}. */
        PromptState select(int[] sources);
    }

    public DecodingState(KvCache cache, PromptState prompt) {
        this.cache = cache;
        this.prompt = prompt;
    }

    public KvCache cache() {
        return cache;
    }

    public PromptState prompt() {
        return prompt;
    }

    public int rows() {
        return cache.rows();
    }

    /** Positions cached per row. */
    public int length() {
        return cache.length();
    }

    /** Row i continues old row {@code sources[i]} (rows may repeat or go); the cache and prompt data follow. */
    public void reorder(int[] sources) {
        cache.reorder(sources);
        prompt = prompt.select(sources);
    }

    /** Each row as a state of its own; this state must not be used afterwards. */
    public List<DecodingState> splitRows() {
        KvCache[] caches = cache.splitRows();
        List<DecodingState> out = new ArrayList<>(caches.length);
        for (int i = 0; i < caches.length; i++) {
            out.add(new DecodingState(caches[i], prompt.select(new int[]{i})));
        }
        return out;
    }
}
