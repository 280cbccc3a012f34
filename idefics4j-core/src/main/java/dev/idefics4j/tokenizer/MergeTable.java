package dev.idefics4j.tokenizer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * BPE merges keyed by the ids of the pair: {@code (left, right) -> (rank, merged id)}, in an open-addressing hash
 * table of primitives (tens of thousands of merges are looked up for every word).
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] mergedIds;
    private final int mask;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        mergedIds = new int[capacity];
        mask = capacity - 1;
    }

    /**
     * The merges of a file by pair of ids: the rank is the position in the file, and both tokens and the merged token
     * must be in the vocabulary.
     */
    static MergeTable of(List<String[]> merges, Map<String, Integer> vocab, Path file) {
        MergeTable table = new MergeTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String left = merges.get(rank)[0];
            String right = merges.get(rank)[1];
            table.put(vocabId(vocab, left, rank, file), vocabId(vocab, right, rank, file), rank,
                    vocabId(vocab, left + right, rank, file));
        }
        return table;
    }

    private static int vocabId(Map<String, Integer> vocab, String token, int rank, Path file) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new TokenizerException(file + ": merge " + rank + " uses \"" + token + "\", which is not in the vocabulary");
        }
        return id;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int i = (int) (h >>> 40) & mask;
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Adds or replaces the merge of a pair (a later duplicate wins, as in tokenizers' HashMap). */
    void put(int left, int right, int rank, int mergedId) {
        long k = key(left, right);
        int i = slot(k);
        keys[i] = k;
        ranks[i] = rank;
        mergedIds[i] = mergedId;
    }

    /** The rank of the pair's merge, or -1 when the pair does not merge. */
    int rank(int left, int right) {
        int i = slot(key(left, right));
        return keys[i] == EMPTY ? -1 : ranks[i];
    }

    /** The id the pair merges into, or -1 when the pair does not merge. */
    int mergedId(int left, int right) {
        int i = slot(key(left, right));
        return keys[i] == EMPTY ? -1 : mergedIds[i];
    }
}
