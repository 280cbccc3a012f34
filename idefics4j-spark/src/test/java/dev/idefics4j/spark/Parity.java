package dev.idefics4j.spark;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Asserts that a result carries what the {@code batch} command wrote for the same request. */
final class Parity {
    private Parity() {
    }

    /** {@code expected} is a {@code Requests.batchLine} result. */
    @SuppressWarnings("unchecked")
    static void assertSame(Map<String, Object> expected, List<SequenceResult> actual, String error, String what) {
        assertNull(expected.get("error"), what + ": the batch line failed");
        assertNull(error, what);
        List<Map<String, Object>> sequences = (List<Map<String, Object>>) expected.get("sequences");
        assertEquals(sequences.size(), actual.size(), what + ": sequences");
        for (int i = 0; i < sequences.size(); i++) {
            Map<String, Object> e = sequences.get(i);
            SequenceResult a = actual.get(i);
            String at = what + " sequence " + i;
            assertArrayEquals((int[]) e.get("ids"), a.ids(), at + " ids");
            assertArrayEquals((int[]) e.get("new_ids"), a.newIds(), at + " new_ids");
            assertEquals(e.get("text"), a.text(), at + " text");
            assertEquals(e.get("new_text"), a.newText(), at + " new_text");
            assertEquals(e.get("finish_reason"), a.finishReason(), at + " finish_reason");
            assertEquals(e.get("score"), a.score(), at + " score");
        }
    }

    /** Two runs of the same rows agree sequence by sequence. */
    static void assertSameSequences(List<SequenceResult> expected, List<SequenceResult> actual, String what) {
        if (expected == null || actual == null) {
            assertEquals(expected, actual, what);
            return;
        }
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            SequenceResult e = expected.get(i);
            SequenceResult a = actual.get(i);
            assertArrayEquals(e.ids(), a.ids(), what + " ids");
            assertArrayEquals(e.newIds(), a.newIds(), what + " new_ids");
            assertEquals(e.text(), a.text(), what + " text");
            assertEquals(e.newText(), a.newText(), what + " new_text");
            assertEquals(e.finishReason(), a.finishReason(), what + " finish_reason");
            assertEquals(e.score(), a.score(), what + " score");
        }
    }
}
