package dev.idefics4j.generation;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The processors on small hand-made rows, for the behaviour the model fixtures do not pin down (the warpers other
 * than top-k 1, ties, minimum kept tokens).
 */
class LogitsProcessorsTest {
    private static final float NEG = Float.NEGATIVE_INFINITY;

    private static Sequences ids(int... row) {
        return new Sequences(new int[][]{row}, new int[]{0}, row.length + 4);
    }

    private static float[] logOf(double... p) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) Math.log(p[i]);
        }
        return out;
    }

    private static boolean[] kept(float[] scores) {
        boolean[] k = new boolean[scores.length];
        for (int i = 0; i < scores.length; i++) {
            k[i] = scores[i] != NEG;
        }
        return k;
    }

    @Test
    void topPKeepsTheSmallestNucleusReachingP() {
        float[] s = logOf(0.1, 0.5, 0.1, 0.3);
        new TopPWarper(0.7, 1).process(ids(0), s, 4);
        assertArrayEquals(new boolean[]{false, true, false, true}, kept(s));
        float[] t = logOf(0.1, 0.5, 0.1, 0.3);
        new TopPWarper(0.75, 1).process(ids(0), t, 4); // 0.5 + 0.3 reaches 0.75; the 0.1s go
        assertArrayEquals(new boolean[]{false, true, false, true}, kept(t));
        float[] u = logOf(0.1, 0.5, 0.1, 0.3);
        new TopPWarper(0.01, 1).process(ids(0), u, 4);
        assertArrayEquals(new boolean[]{false, true, false, false}, kept(u));
        float[] v = logOf(0.1, 0.5, 0.1, 0.3);
        new TopPWarper(0.01, 3).process(ids(0), v, 4); // min_tokens_to_keep wins
        assertEquals(3, count(kept(v)));
    }

    @Test
    void minPRemovesTokensBelowAFractionOfTheTopProbability() {
        float[] s = logOf(0.05, 0.5, 0.15, 0.3);
        new MinPWarper(0.4, 1).process(ids(0), s, 4); // threshold 0.2
        assertArrayEquals(new boolean[]{false, true, false, true}, kept(s));
        float[] t = logOf(0.05, 0.5, 0.15, 0.3);
        new MinPWarper(1.0, 2).process(ids(0), t, 4);
        assertArrayEquals(new boolean[]{false, true, false, true}, kept(t));
    }

    @Test
    void topKKeepsTiesWithTheKthScore() {
        float[] s = {1f, 3f, 3f, 2f};
        new TopKWarper(2, 1).process(ids(0), s, 4);
        assertArrayEquals(new float[]{NEG, 3f, 3f, NEG}, s);
        float[] t = {1f, 3f, 3f, 2f};
        new TopKWarper(1, 3).process(ids(0), t, 4); // at least min_tokens_to_keep
        assertArrayEquals(new float[]{NEG, 3f, 3f, 2f}, t);
        float[] u = {1f, 3f};
        new TopKWarper(50, 1).process(ids(0), u, 2); // k beyond the vocabulary keeps all
        assertArrayEquals(new float[]{1f, 3f}, u);
    }

    @Test
    void temperatureDividesInFloat() {
        float[] s = {1f, -2f, 0.3f};
        new TemperatureWarper(0.7).process(ids(0), s, 3);
        assertArrayEquals(new float[]{1f / 0.7f, -2f / 0.7f, 0.3f / 0.7f}, s);
    }

    @Test
    void repetitionPenaltyHitsEverySeenTokenOnce() {
        float[] s = {2f, -2f, 2f, -2f};
        new RepetitionPenaltyProcessor(2.0).process(ids(0, 1, 1, 1), s, 4);
        assertArrayEquals(new float[]{1f, -4f, 2f, -2f}, s);
    }

    @Test
    void noRepeatNGramBansCompletionsOfEarlierNGrams() {
        float[] s = new float[6];
        // Bigrams so far: 1-2, 2-3, 3-1, 1-2, 2-5, 5-1; the row ends with 1, so 2 is banned.
        new NoRepeatNGramProcessor(2).process(ids(1, 2, 3, 1, 2, 5, 1), s, 6);
        assertArrayEquals(new float[]{0, 0, NEG, 0, 0, 0}, s);
        float[] t = new float[6];
        // Trigram prefix (5, 1) never occurred before: nothing banned.
        new NoRepeatNGramProcessor(3).process(ids(1, 2, 3, 1, 2, 5, 1), t, 6);
        assertArrayEquals(new float[6], t);
        float[] u = new float[6];
        new NoRepeatNGramProcessor(3).process(ids(1, 2, 3, 1, 2), u, 6); // (1, 2) was followed by 3
        assertArrayEquals(new float[]{0, 0, 0, NEG, 0, 0}, u);
    }

    @Test
    void badWordsBanSingleTokensAndCompletionsButNeverALoneEos() {
        List<int[]> bad = List.of(new int[]{4}, new int[]{2}, new int[]{1, 5}, new int[]{3, 5});
        float[] s = new float[6];
        new NoBadWordsProcessor(bad, new int[]{2}).process(ids(0, 1), s, 6);
        assertArrayEquals(new float[]{0, 0, 0, 0, NEG, NEG}, s);
    }

    @Test
    void minLengthMasksEveryEosUntilReached() {
        float[] s = new float[5];
        new MinLengthProcessor(4, new int[]{2, 3}).process(ids(0, 1, 1), s, 5);
        assertArrayEquals(new float[]{0, 0, NEG, NEG, 0}, s);
        float[] t = new float[5];
        new MinLengthProcessor(3, new int[]{2, 3}).process(ids(0, 1, 1), t, 5);
        assertArrayEquals(new float[5], t);
    }

    @Test
    void processorsComeInTheReferencesOrder() {
        GenerationConfig c = GenerationConfig.defaults().withOverrides(Map.of("do_sample", true, "temperature", 0.5,
                "top_p", 0.9, "min_p", 0.1, "repetition_penalty", 1.2, "no_repeat_ngram_size", 3,
                "bad_words_ids", List.of(List.of(7)), "min_new_tokens", 2, "eos_token_id", 2));
        List<Class<?>> order = LogitsProcessors.build(c, 5, c.eosTokenId(), c.badWordsIds()).stream()
                .<Class<?>>map(Object::getClass).toList();
        assertEquals(List.of(RepetitionPenaltyProcessor.class, NoRepeatNGramProcessor.class,
                NoBadWordsProcessor.class, MinLengthProcessor.class, TemperatureWarper.class, TopKWarper.class,
                TopPWarper.class, MinPWarper.class), order);
        GenerationConfig greedy = c.toBuilder().doSample(false).build();
        assertEquals(4, LogitsProcessors.build(greedy, 5, greedy.eosTokenId(), greedy.badWordsIds()).size());
    }

    @Test
    void sortDescendingOrdersSignsAndInfinities() {
        float[] s = {-1f, 2f, NEG, 0f, -3.5f, 2f, Float.POSITIVE_INFINITY};
        assertArrayEquals(new int[]{6, 1, 5, 3, 0, 4, 2}, ScoreMath.sortDescending(s, 0, s.length));
        assertArrayEquals(new int[]{6, 1, 5}, ScoreMath.topK(s, 0, s.length, 3));
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }
}
