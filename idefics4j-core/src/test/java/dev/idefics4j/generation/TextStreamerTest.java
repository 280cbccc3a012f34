package dev.idefics4j.generation;

import dev.idefics4j.processor.ModelInputs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streaming text: only complete characters, each row's pieces adding up to its final text. */
class TextStreamerTest {
    private final FakeTokenizer tokenizer = new FakeTokenizer();

    private record Chunk(int row, String text, boolean finished) {
    }

    @Test
    void aCharacterSplitOverByteTokensIsDeliveredWhole() {
        List<Chunk> chunks = new ArrayList<>();
        TextStreamer s = new TextStreamer(tokenizer::decode, (row, text, fin) -> chunks.add(new Chunk(row, text, fin)));
        int[] ko = FakeTokenizer.byteIds("コ"); // 3 bytes
        int[] stream = {500, ko[0], ko[1], ko[2], 600};
        for (int i = 0; i < stream.length; i++) {
            s.onTokens(i, new int[]{stream[i]}, new boolean[]{i == stream.length - 1});
        }
        s.onFinish(List.of());
        List<String> texts = chunks.stream().map(Chunk::text).toList();
        assertEquals(List.of("[500]", "コ", "[600]"), texts);
        assertTrue(chunks.getLast().finished());
        assertFalse(String.join("", texts).contains("\uFFFD"));
    }

    @Test
    void incompleteBytesAreFlushedWhenGenerationEnds() {
        List<Chunk> chunks = new ArrayList<>();
        TextStreamer s = new TextStreamer(tokenizer::decode, (row, text, fin) -> chunks.add(new Chunk(row, text, fin)));
        int[] ko = FakeTokenizer.byteIds("コ");
        s.onTokens(0, new int[]{500}, new boolean[]{false});
        s.onTokens(1, new int[]{ko[0]}, new boolean[]{false});
        s.onFinish(List.of()); // max length cut the character
        assertEquals(List.of("[500]", "\uFFFD"), chunks.stream().map(Chunk::text).toList());
        assertTrue(chunks.getLast().finished());
    }

    @Test
    void streamedPiecesAddUpToEachRowsGeneratedText() {
        // Row 1 meets its eos early and is padded afterwards.
        Fixtures.Call call = Fixtures.call("tiny", "batch3_greedy_eos_fires");
        ModelInputs in = call.inputs();
        GenerationConfig config = call.config();
        StringBuilder[] text = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        int[] ends = new int[3];
        List<int[]> steps = new ArrayList<>();
        TextStreamer streamer = new TextStreamer(tokenizer::decode, (row, t, fin) -> {
            text[row].append(t);
            ends[row] += fin ? 1 : 0;
        });
        GenerationListener both = new GenerationListener() {
            @Override
            public void onTokens(int step, int[] tokens, boolean[] finished) {
                steps.add(tokens);
                streamer.onTokens(step, tokens, finished);
            }

            @Override
            public void onFinish(List<GenerationResult> results) {
                streamer.onFinish(results);
            }
        };
        List<GenerationResult> results = new Generator(Fixtures.model("tiny")).generate(in, config, both);
        assertEquals(8, steps.size());
        for (int r = 0; r < 3; r++) {
            assertEquals(tokenizer.decode(results.get(r).producedIds()), text[r].toString(), "row " + r);
            assertEquals(1, ends[r], "row " + r + " ends once");
            for (int s = 0; s < steps.size(); s++) {
                assertEquals(results.get(r).newIds()[s], steps.get(s)[r], "streamed token, row " + r + " step " + s);
            }
        }
        assertEquals(FinishReason.EOS, results.get(1).finishReason());
        assertTrue(results.get(1).produced() < 8);
    }
}
