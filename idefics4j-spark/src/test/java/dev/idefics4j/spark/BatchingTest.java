package dev.idefics4j.spark;

import dev.idefics4j.Idefics;
import dev.idefics4j.request.Requests;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without Spark: a partition answered in left-padded batches gives every row what the {@code batch} command gives
 * its equivalent line, and what a batch size of 1 gives (greedy batched equals alone on the tiny checkpoint).
 */
class BatchingTest {
    private static Idefics idefics;
    private static List<ParityCases.Case> cases;
    private static List<RequestRow> rows;

    @BeforeAll
    static void load() {
        idefics = Idefics.load(TestData.model("tiny"));
        cases = ParityCases.all(idefics, ParityCases.earlyEos(idefics));
        rows = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            rows.add(JsonLineReader.read(cases.get(i).row().toString(), i));
        }
    }

    @AfterAll
    static void close() {
        idefics.close();
    }

    private static List<RequestResult> answer(int batchSize) {
        return new PartitionRunner(idefics, Path.of("."), batchSize).answer(rows);
    }

    @Test
    void batchedRowsEqualTheBatchCommand() {
        List<RequestResult> batched = answer(4);
        assertEquals(cases.size(), batched.size());
        for (int i = 0; i < cases.size(); i++) {
            ParityCases.Case c = cases.get(i);
            Map<String, Object> expected = Requests.batchLine(idefics, c.batchLine().toString(), i + 1, Path.of("."));
            RequestResult r = batched.get(i);
            assertEquals(c.id(), r.id());
            assertEquals(i, r.row());
            Parity.assertSame(expected, r.sequences(), r.error(), c.id());
        }
    }

    @Test
    void batchedEqualsAlone() {
        List<RequestResult> batched = answer(5);
        List<RequestResult> alone = answer(1);
        for (int i = 0; i < cases.size(); i++) {
            assertEquals(alone.get(i).label(), batched.get(i).label(), cases.get(i).id());
            assertEquals(alone.get(i).error(), batched.get(i).error(), cases.get(i).id());
            Parity.assertSameSequences(alone.get(i).sequences(), batched.get(i).sequences(), cases.get(i).id());
        }
    }

    @Test
    void someRowsStopEarlyWhileTheirBatchGoesOn() {
        List<RequestResult> batched = answer(8);
        List<RequestResult> early = batched.stream().filter(r -> r.id().startsWith("early-")).toList();
        assertTrue(early.stream().anyMatch(r -> r.sequences().getFirst().finishReason().equals("eos")));
        assertTrue(early.stream().anyMatch(r -> r.sequences().getFirst().finishReason().equals("length")));
        assertTrue(batched.stream().filter(r -> r.id().startsWith("stop-"))
                .anyMatch(r -> r.sequences().getFirst().finishReason().equals("stop")));
    }

    @Test
    void classifyNamesALabelAsTheFacadeDoes() {
        RequestResult r = answer(4).stream().filter(x -> x.id().equals("classify-1")).findFirst().orElseThrow();
        assertEquals(idefics.classify(dev.idefics4j.image.ImageSource.file(Path.of(ParityCases.image(
                "cat_rgb_97x61.jpg"))), List.of("cat", "dog", "rocket")), r.label());
    }
}
