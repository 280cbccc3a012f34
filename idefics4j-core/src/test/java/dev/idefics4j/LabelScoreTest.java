package dev.idefics4j;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A label score prints its token ids and log-probabilities, not the arrays' identities. */
class LabelScoreTest {
    @Test
    void printsItsArrays() {
        LabelScore s = new LabelScore("cats", -1.5, new int[] {274, 1446}, new float[] {-1.0f, -0.5f});
        assertEquals("LabelScore[label=cats, logprob=-1.5, tokenIds=[274, 1446], tokenLogprobs=[-1.0, -0.5]]",
                s.toString());
        assertEquals(-0.75, s.meanLogprob());
    }
}
