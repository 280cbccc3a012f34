package dev.idefics4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE model of the tokenizers library ({@code models/bpe}): a word starts as its characters (unknown ones as
 * {@code <0xNN>} byte tokens, or a fused unknown token), then the pair with the lowest merge rank (the leftmost on
 * ties) is merged until no pair merges, using a priority queue over a linked list of symbols. Like the library, it
 * remembers the ids of the words it has seen (up to {@link #CACHE_CAPACITY} words).
 */
final class MergeBpe {
    /** Words kept in the cache at most (the tokenizers library's default); later words are not cached. */
    static final int CACHE_CAPACITY = 10_000;
    /** Longer words are not cached. */
    private static final int MAX_CACHED_LENGTH = 64;
    /** Characters below this have their single-character token id in {@link #charIds}. */
    private static final int CHAR_TABLE_SIZE = 0x3000;

    private final Map<String, Integer> vocab;
    private final MergeTable merges;
    /** -1 when the model has no unknown token (unknown characters are then dropped). */
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    /** Id of {@code <0xNN>} for every byte, -1 where the vocabulary lacks it. */
    private final int[] byteIds = new int[256];
    /** The id of each character below {@link #CHAR_TABLE_SIZE} as a token of its own, -1 where it is none. */
    private final int[] charIds = new int[CHAR_TABLE_SIZE];
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    MergeBpe(Map<String, Integer> vocab, MergeTable merges, int unkId, boolean fuseUnk, boolean byteFallback,
             boolean ignoreMerges) {
        this.vocab = vocab;
        this.merges = merges;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(BytePieces.format(b));
            byteIds[b] = id == null ? -1 : id;
        }
        Arrays.fill(charIds, -1);
        vocab.forEach((token, id) -> {
            if (token.length() == 1 && token.charAt(0) < CHAR_TABLE_SIZE) {
                charIds[token.charAt(0)] = id;
            }
        });
    }

    /** Appends the ids of one pre-tokenized, normalized word to {@code out}. */
    void tokenize(String word, IntArrayBuilder out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        boolean cacheable = word.length() <= MAX_CACHED_LENGTH;
        int[] ids = cacheable ? cache.get(word) : null;
        if (ids == null) {
            IntArrayBuilder merged = new IntArrayBuilder(word.length());
            mergeAll(initialSymbols(word), merged);
            ids = merged.toArray();
            if (cacheable && cache.size() < CACHE_CAPACITY) {
                cache.put(word, ids);
            }
        }
        out.addAll(ids);
    }

    /** The id of the character at {@code i} ({@code length} chars) as a token of its own, or -1. */
    private int charId(String word, int i, int length) {
        char c = word.charAt(i);
        if (length == 1 && c < CHAR_TABLE_SIZE) {
            return charIds[c];
        }
        return vocab.getOrDefault(word.substring(i, i + length), -1);
    }

    /** The ids of the word's characters before any merge. */
    private int[] initialSymbols(String word) {
        IntArrayBuilder ids = new IntArrayBuilder(word.length());
        boolean unkPending = false;
        for (int i = 0; i < word.length(); ) {
            int n = Character.charCount(word.codePointAt(i));
            int id = charId(word, i, n);
            int start = i;
            i += n;
            if (id >= 0) {
                if (unkPending) {
                    ids.add(unkId);
                    unkPending = false;
                }
                ids.add(id);
                continue;
            }
            if (byteFallback && addBytes(word.substring(start, i), ids)) {
                continue;
            }
            if (unkId >= 0) {
                if (unkPending && !fuseUnk) {
                    ids.add(unkId);
                }
                unkPending = true;
            }
        }
        if (unkPending) {
            ids.add(unkId);
        }
        return ids.toArray();
    }

    /** Adds the byte tokens of {@code c} when the vocabulary has all of them (tokenizers' byte_fallback). */
    private boolean addBytes(String c, IntArrayBuilder ids) {
        byte[] bytes = c.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteIds[b & 0xff] < 0) {
                return false;
            }
        }
        for (byte b : bytes) {
            ids.add(byteIds[b & 0xff]);
        }
        return true;
    }

    /** A queued merge of the symbol at {@code pos} with its right neighbour into {@code mergedId}. */
    private record Merge(int rank, int pos, int mergedId) {
    }

    /** tokenizers' {@code Word::merge_all} without dropout. */
    private void mergeAll(int[] c, IntArrayBuilder out) {
        int n = c.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] removed = new boolean[n];
        PriorityQueue<Merge> queue = new PriorityQueue<>(
                (a, b) -> a.rank != b.rank ? Integer.compare(a.rank, b.rank) : Integer.compare(a.pos, b.pos));
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n) {
                queue(queue, i, c[i], c[i + 1]);
            }
        }
        while (!queue.isEmpty()) {
            Merge top = queue.poll();
            int pos = top.pos;
            if (removed[pos] || next[pos] < 0) {
                continue;
            }
            int right = next[pos];
            // Expired entry: the pair at pos changed since it was queued.
            if (merges.mergedId(c[pos], c[right]) != top.mergedId) {
                continue;
            }
            c[pos] = top.mergedId;
            next[pos] = next[right];
            removed[right] = true;
            if (next[right] >= 0) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                queue(queue, prev[pos], c[prev[pos]], c[pos]);
            }
            if (next[pos] >= 0) {
                queue(queue, pos, c[pos], c[next[pos]]);
            }
        }
        for (int i = 0; i < n; i++) {
            if (!removed[i]) {
                out.add(c[i]);
            }
        }
    }

    private void queue(PriorityQueue<Merge> queue, int pos, int left, int right) {
        int rank = merges.rank(left, right);
        if (rank >= 0) {
            queue.add(new Merge(rank, pos, merges.mergedId(left, right)));
        }
    }
}
