package dev.idefics4j.generation;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code bad_words_ids}: a one-token entry is always banned; for a longer entry its last token is banned in the rows
 * that end with the rest of it. Entries that are exactly one eos id are dropped, as the reference does, so a bad
 * word list never prevents stopping.
 */
final class NoBadWordsProcessor implements LogitsProcessor {
    private final List<int[]> sequences = new ArrayList<>();

    NoBadWordsProcessor(List<int[]> badWordsIds, int[] eos) {
        for (int[] seq : badWordsIds) {
            if (!(seq.length == 1 && contains(eos, seq[0]))) {
                sequences.add(seq);
            }
        }
    }

    @Override
    public void process(Sequences ids, float[] scores, int vocab) {
        int len = ids.length();
        for (int r = 0; r < ids.rows(); r++) {
            int[] row = ids.row(r);
            for (int[] seq : sequences) {
                int prefix = seq.length - 1;
                if (seq.length > len) {
                    continue; // longer than the whole context: it cannot be completed
                }
                boolean match = true;
                for (int i = 0; i < prefix && match; i++) {
                    match = row[len - prefix + i] == seq[i];
                }
                if (match) {
                    scores[r * vocab + seq[prefix]] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    static boolean contains(int[] ids, int id) {
        if (ids == null) {
            return false;
        }
        for (int e : ids) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }
}
