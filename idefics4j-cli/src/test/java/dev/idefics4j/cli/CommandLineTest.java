package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.SafeTensorsFile;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON contract of the command line, end to end on the tiny fixture checkpoint. */
class CommandLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TINY = TestData.model("tiny").toString();
    private static final String CAT = TestData.fixture("images/cat_rgb_97x61.jpg").toString();

    @TempDir
    Path dir;

    private static JsonNode json(CliRunner.Result r) throws IOException {
        assertEquals(0, r.exitCode(), r.err());
        return JSON.readTree(r.out());
    }

    private static String textImageTextRequest(String extra) {
        return "{\"prompts\": [[\"User:\", {\"image\": \"" + CAT + "\"}, \"Describe this image.\\nAssistant:\"]]"
                + extra + "}";
    }

    @Test
    void encodeShowsWhatTheReferenceProcessorBuilds() throws IOException {
        JsonNode out = json(CliRunner.run("encode", "--model", TINY, "--json", textImageTextRequest("")));
        JsonNode ref = ReferenceCase.cases(TestData.reference("tiny/processor.json")).get("text_image_text");
        assertEquals(ref.get("prompt_strings"), out.get("prompt_strings"));
        assertEquals(ref.get("input_ids"), out.get("input_ids"));
        assertEquals(ref.get("attention_mask"), out.get("attention_mask"));
        assertEquals(ref.get("image_attention_mask"), out.get("image_attention_mask"));
        assertEquals(CAT, out.get("images").get(0).get(0).asText());
    }

    /** Each image as decoded (JPEG and an RGBA PNG composited on white), against reference/image_processor's. */
    @Test
    void encodePixelsShowsEachImageAsPillowDecodesIt() throws IOException {
        String astronaut = TestData.fixture("images/astronaut_rgba_64x80.png").toString();
        String request = "{\"prompts\": [[{\"image\": \"" + CAT + "\"}, \"and\", {\"image\": \"" + astronaut
                + "\"}]]}";
        JsonNode out = json(CliRunner.run("encode", "--model", TINY, "--pixels", "--json", request));
        JsonNode images = out.get("images").get(0);
        assertEquals(2, images.size());
        JsonNode cat = images.get(0);
        assertEquals(CAT, cat.get("source").asText());
        // libjpeg-turbo where it is installed (always under CI); the JDK's reader matches Pillow on this file too.
        Set<String> jpegDecoders = "true".equals(System.getenv("CI")) ? Set.of("libjpeg-turbo")
                : Set.of("libjpeg-turbo", "java-imageio");
        assertTrue(jpegDecoders.contains(cat.get("decoder").asText()), cat.get("decoder").asText());
        assertPillowsPixels(cat, "images/cat_rgb_97x61.jpg", 97, 61);
        JsonNode rgba = images.get(1);
        assertEquals("java-imageio", rgba.get("decoder").asText());
        assertPillowsPixels(rgba, "images/astronaut_rgba_64x80.png", 64, 80);
    }

    private static void assertPillowsPixels(JsonNode image, String fixture, int width, int height)
            throws IOException {
        assertEquals(width, image.get("width").asInt());
        assertEquals(height, image.get("height").asInt());
        JsonNode root = JSON.readTree(TestData.reference("image_processor.json").toFile());
        String key = null;
        for (JsonNode c : root.get("cases")) {
            if (c.get("image").asText().equals(fixture)) {
                key = c.get("decoded_rgb_u8").get("key").asText();
            }
        }
        byte[] expected;
        try (SafeTensorsFile tensors = SafeTensorsFile.open(TestData.reference("image_processor.safetensors"))) {
            expected = tensors.readBytes(key);
        }
        JsonNode rgb = image.get("rgb");
        assertEquals(expected.length, rgb.size(), fixture + " samples");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] & 0xFF, rgb.get(i).asInt(), fixture + " sample " + i);
        }
    }

    /** padding "max_length" with its max_length reaches the processor (it was refused as lacking the length). */
    @Test
    void encodePadsToMaxLengthAsTheReference() throws IOException {
        String rocket = TestData.fixture("images/rocket_rgb_200x320.jpg").toString();
        JsonNode out = json(CliRunner.run("encode", "--model", TINY, "--json", "{\"prompts\": [[\"User:\", "
                + "{\"image\": \"" + rocket + "\"}, \"Describe this image.\\nAssistant:\"], [\"Hi!\"]], "
                + "\"padding\": \"max_length\", \"max_length\": 40}"));
        JsonNode ref = ReferenceCase.cases(TestData.reference("tiny/processor.json")).get("padding_max_length");
        assertEquals(ref.get("prompt_strings"), out.get("prompt_strings"));
        assertEquals(ref.get("input_ids"), out.get("input_ids"));
        assertEquals(ref.get("attention_mask"), out.get("attention_mask"));
        assertEquals(ref.get("image_attention_mask"), out.get("image_attention_mask"));
    }

    @Test
    void relativeImagePathsResolveAgainstTheRequestFile() throws IOException {
        Files.copy(Path.of(CAT), dir.resolve("cat.jpg"));
        Path request = dir.resolve("req.json");
        Files.writeString(request, "{\"prompts\": [[\"User:\", {\"image\": \"cat.jpg\"}, \"Hi\"]]}");
        JsonNode out = json(CliRunner.run("encode", "--model", TINY, "--request", request.toString()));
        assertEquals(dir.resolve("cat.jpg").toString(), out.get("images").get(0).get(0).asText());
    }

    @Test
    void generateReturnsTheReferenceSequences() throws IOException {
        JsonNode out = json(CliRunner.run("generate", "--model", TINY, "--json",
                textImageTextRequest(", \"max_new_tokens\": 8, \"bad_words_ids\": [[32001], [32000]]")));
        JsonNode ref = ReferenceCase.cases(TestData.reference("tiny/generate.json")).get("greedy_bad_words");
        JsonNode seq = out.get("sequences").get(0);
        assertEquals(ref.get("sequences").get(0), seq.get("ids"));
        assertEquals(ref.get("new_tokens").get(0), seq.get("new_ids"));
        assertEquals(ref.get("text_full_skip_special").get(0).asText(), seq.get("text").asText());
        assertEquals(ref.get("text_new_skip_special").get(0).asText(), seq.get("new_text").asText());
        assertEquals("length", seq.get("finish_reason").asText());
    }

    @Test
    void generateBeamSearchReturnsScoresInReferenceOrder() throws IOException {
        JsonNode out = json(CliRunner.run("generate", "--model", TINY, "--json", textImageTextRequest(
                ", \"max_new_tokens\": 10, \"num_beams\": 3, \"num_return_sequences\": 2")));
        JsonNode ref = ReferenceCase.cases(TestData.reference("tiny/generate.json")).get("beam3_return2");
        assertEquals(2, out.get("sequences").size());
        for (int i = 0; i < 2; i++) {
            JsonNode seq = out.get("sequences").get(i);
            assertEquals(ref.get("sequences").get(i), seq.get("ids"));
            assertTrue(seq.has("score"));
        }
    }

    /**
     * Idefics2 end to end: the processor option do_image_splitting at the request's top level reaches the processor
     * (encode shows the split prompt of processor.json#one_image_split and five images), and generate returns
     * generate.json#split_greedy with the slow tokenizer's texts.
     */
    @Test
    void idefics2EncodesAndGeneratesWithProcessorOptions() throws IOException {
        String tiny2 = TestData.model("tiny-idefics2").toString();
        String request = "{\"prompts\": [[\"User:\", {\"image\": \"" + CAT + "\"}, "
                + "\"Describe this image.<end_of_utterance>\\nAssistant:\"]], \"do_image_splitting\": true";
        JsonNode encoded = json(CliRunner.run("encode", "--model", tiny2, "--json", request + "}"));
        JsonNode split = ReferenceCase.cases(TestData.reference("tiny-idefics2/processor.json")).get("one_image_split");
        assertEquals(split.get("prompt_strings"), encoded.get("prompt_strings"));
        assertEquals(split.get("input_ids"), encoded.get("input_ids"));
        assertEquals(split.get("attention_mask"), encoded.get("attention_mask"));
        assertEquals(JSON.readTree("[1, 5, 3, 20, 32]"), encoded.get("pixel_values_shape"));

        JsonNode out = json(CliRunner.run("generate", "--model", tiny2, "--tokenizer", "sentencepiece", "--json",
                request + ", \"max_new_tokens\": 8, \"bad_words_ids\": [[32001], [32000]]}"));
        JsonNode ref = ReferenceCase.cases(TestData.reference("tiny-idefics2/generate.json")).get("split_greedy");
        JsonNode seq = out.get("sequences").get(0);
        assertEquals(ref.get("sequences").get(0), seq.get("ids"));
        assertEquals(ref.get("new_tokens").get(0), seq.get("new_ids"));
        assertEquals(ref.get("text_full_skip_special").get(0).asText(), seq.get("text").asText());
        assertEquals(ref.get("text_new_skip_special").get(0).asText(), seq.get("new_text").asText());
    }

    @Test
    void batchAnswersEveryLineAndReportsBrokenOnes() throws IOException {
        Path in = dir.resolve("in.jsonl");
        Files.copy(Path.of(CAT), dir.resolve("cat.jpg"));
        Files.write(in, List.of(
                "{\"id\": \"a\", \"prompts\": [[{\"image\": \"cat.jpg\"}, \"This is\"]], \"max_new_tokens\": 3}",
                "{not json",
                "{\"id\": \"c\", \"prompts\": [[{\"image\": \"missing.png\"}, \"This is\"]]}",
                "{\"prompts\": [[\"Hello\"]], \"max_new_tokens\": 2}",
                "{\"prompts\": [[\"Hello\"]], \"num_beams\": 0}"));
        Path out = dir.resolve("out.jsonl");
        CliRunner.Result r = CliRunner.run("batch", "--model", TINY, "--input", in.toString(), "--output",
                out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("5/5"), "progress on stderr: " + r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(5, lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("a", first.get("id").asText());
        assertEquals(3, first.get("sequences").get(0).get("new_ids").size());
        assertTrue(JSON.readTree(lines.get(1)).get("error").asText().startsWith("invalid JSON"));
        JsonNode missing = JSON.readTree(lines.get(2));
        assertEquals("c", missing.get("id").asText());
        assertTrue(missing.get("error").asText().contains("missing.png"), missing.toString());
        assertEquals(2, JSON.readTree(lines.get(3)).get("sequences").get(0).get("new_ids").size());
        assertTrue(JSON.readTree(lines.get(4)).get("error").asText().contains("num_beams"));
        assertTrue(Files.notExists(dir.resolve("out.jsonl.partial")));
    }

    /** A run in which every line failed exits 1 (a script must notice), its error lines written all the same. */
    @Test
    void batchFailsWhenEveryLineFailed() throws IOException {
        Path in = dir.resolve("in.jsonl");
        Files.write(in, List.of("{\"prompts\": [[{\"image\": \"missing.png\"}, \"A\"]]}", "{not json"));
        Path out = dir.resolve("out.jsonl");
        CliRunner.Result r = CliRunner.run("batch", "--model", TINY, "--input", in.toString(), "--output",
                out.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.err().contains("error: every request failed"), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        assertTrue(lines.stream().allMatch(l -> l.contains("\"error\"")), lines.toString());
    }

    @Test
    void scoreGivesEveryContinuationsLogProbability() throws IOException {
        String request = "{\"prompt\": [{\"image\": \"" + CAT + "\"}, \"This is an image of\"],"
                + " \"continuations\": [\"a cat\", \"a dog\", \"a rocket\"]}";
        JsonNode out = json(CliRunner.run("score", "--model", TINY, "--json", request));
        JsonNode scores = out.get("scores");
        assertEquals(3, scores.size());
        for (JsonNode s : scores) {
            double sum = 0;
            for (JsonNode lp : s.get("token_logprobs")) {
                sum += lp.asDouble();
            }
            assertEquals(sum, s.get("logprob").asDouble(), 1e-4);
            assertEquals(s.get("token_ids").size(), s.get("token_logprobs").size());
            assertTrue(s.get("logprob").asDouble() < 0);
        }
    }

    @Test
    void tasksPrintAnswersAndTheirPrompts() throws IOException {
        JsonNode caption = json(CliRunner.run("caption", CAT, "--model", TINY, "--json", "--max-new-tokens", "4"));
        assertEquals("<s><fake_token_around_image><image><fake_token_around_image>", caption.get("prompt").asText());
        assertTrue(caption.has("caption"));

        JsonNode ask = json(CliRunner.run("ask", CAT, "What is it?", "--model", TINY, "--json"));
        assertTrue(ask.get("prompt").asText().endsWith("Question: What is it? Answer:"));

        JsonNode ranked = json(CliRunner.run("classify", CAT, "--labels", "animals,cars,office", "--rank",
                "--model", TINY, "--json"));
        Set<String> labels = new HashSet<>();
        double previous = Double.POSITIVE_INFINITY;
        for (JsonNode row : ranked.get("ranking")) {
            labels.add(row.get("label").asText());
            assertTrue(row.get("logprob").asDouble() <= previous);
            previous = row.get("logprob").asDouble();
        }
        assertEquals(Set.of("animals", "cars", "office"), labels);
        assertEquals(ranked.get("ranking").get(0).get("label"), ranked.get("label"));

        JsonNode chosen = json(CliRunner.run("classify", CAT, "--labels", "animals,cars", "--model", TINY, "--json"));
        assertTrue(Set.of("animals", "cars").contains(chosen.get("label").asText()));

        JsonNode describe = json(CliRunner.run("describe", CAT, "Write a product description.", "--model", TINY,
                "--json", "--max-new-tokens", "5"));
        assertTrue(describe.get("prompt").asText().startsWith("<s>Instruction: Write a product description.\n"));

        CliRunner.Result human = CliRunner.run("caption", CAT, "--model", TINY, "--max-new-tokens", "4");
        assertEquals(0, human.exitCode());
        assertEquals(caption.get("caption").asText(), human.out().strip());
    }

    @Test
    void chatReadsTurnsFromStandardInput() {
        CliRunner.Result r = CliRunner.withInput("What is this? " + CAT + "\nAnd now?\n/quit\n",
                "chat", "--model", TINY, "--max-new-tokens", "3");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(2, r.out().split("assistant> ", -1).length - 1, r.out());
    }

    @Test
    void errorsAreOneClearLine() {
        CliRunner.Result missing = CliRunner.run("caption", "nope.png", "--model", TINY);
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().startsWith("error: ") && missing.err().contains("nope.png"), missing.err());
        CliRunner.Result badJson = CliRunner.run("generate", "--model", TINY, "--json", "{oops");
        assertEquals(1, badJson.exitCode());
        assertTrue(badJson.err().contains("invalid JSON"), badJson.err());
        CliRunner.Result unclosed = CliRunner.run("generate", "--model", TINY, "--json", "{\"prompts\": [[\"Hi\"]]");
        assertEquals("error: --json: invalid JSON: Unexpected end-of-input: expected close marker for Object (opened "
                + "at line 1, column 1) at line 1, column 21", unclosed.err().strip());
        CliRunner.Result badModel = CliRunner.run("caption", CAT, "--model", dir.resolve("none").toString());
        assertEquals(1, badModel.exitCode());
        assertTrue(badModel.err().contains("neither an existing folder nor a Hub repo id"), badModel.err());
        CliRunner.Result contradictory = CliRunner.run("generate", "--model", TINY, "--json",
                "{\"prompts\": [[\"Hi\"]], \"num_beams\": 1, \"num_return_sequences\": 2}");
        assertEquals(1, contradictory.exitCode());
        assertTrue(contradictory.err().contains("num_return_sequences"), contradictory.err());
    }

    /** A missing image is reported before the model is resolved (which may mean a download of gigabytes). */
    @Test
    void localImagesAreCheckedBeforeTheModel() {
        String noModel = dir.resolve("no-model").toString();
        for (String[] args : List.of(new String[] {"caption", "nope.png", "--model", noModel},
                new String[] {"ask", "nope.png", "What?", "--model", noModel},
                new String[] {"classify", "nope.png", "--labels", "a,b", "--model", noModel},
                new String[] {"describe", "nope.png", "--story", "--model", noModel})) {
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(1, r.exitCode(), String.join(" ", args));
            assertTrue(r.err().startsWith("error: IMAGE nope.png: no such file "), r.err());
        }
        CliRunner.Result json = CliRunner.run("generate", "--model", noModel, "--json",
                "{\"prompts\": [[\"Hi\", {\"image\": \"nope.png\"}]]}");
        assertEquals(1, json.exitCode());
        assertTrue(json.err().startsWith("error: prompts[0][1]: no such file "), json.err());
        CliRunner.Result score = CliRunner.run("score", "--model", noModel, "--json",
                "{\"prompt\": [{\"image\": \"nope.png\"}, \"A\"], \"continuations\": [\"b\"]}");
        assertTrue(score.err().startsWith("error: prompt[0]: no such file "), score.err());
        CliRunner.Result encode = CliRunner.run("encode", "--model", noModel, "--json",
                "{\"prompts\": [[{\"image\": \"nope.png\"}]]}");
        assertTrue(encode.err().startsWith("error: prompts[0][0]: no such file "), encode.err());
    }

    @Test
    void quantizedLoadingAndSavedQuantizedCheckpoints() throws IOException {
        JsonNode int8 = json(CliRunner.run("caption", CAT, "--model", TINY, "--quantize", "int8", "--json"));
        Path saved = dir.resolve("tiny-int8");
        CliRunner.Result q = CliRunner.run("quantize", "--model", TINY, "--quantize", "int8", "--out", saved.toString());
        assertEquals(0, q.exitCode(), q.err());
        assertTrue(Files.readString(saved.resolve("config.json")).contains("quantization_config"));
        JsonNode reloaded = json(CliRunner.run("caption", CAT, "--model", saved.toString(), "--json"));
        assertEquals(int8.get("caption"), reloaded.get("caption"), "quantize once, reload the same model");
        JsonNode nf4 = json(CliRunner.run("inspect", "--model", TINY, "--quantize", "nf4", "--double-quant"));
        assertTrue(nf4.get("weight_bytes").asLong() > 0);
        CliRunner.Result bad = CliRunner.run("caption", CAT, "--model", TINY, "--quantize", "q3");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("expected none, fp4, nf4 or int8"), bad.err());
    }

    @Test
    void bf16DotProductsAreAnOptionOfTheLoadingCommands() throws IOException {
        CliRunner.Result r = CliRunner.run("caption", CAT, "--model", TINY, "--bf16-dot", "--json");
        if (dev.idefics4j.tensor.Bf16Dot.available()) {
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(json(r).get("caption").asText().length() > 0, r.out());
        } else {
            assertEquals(1, r.exitCode());
            assertTrue(r.err().contains("bf16-dot is unavailable"), r.err());
        }
        CliRunner.Result both = CliRunner.run("caption", CAT, "--model", TINY, "--bf16-dot", "--quantize", "nf4",
                "--json");
        assertEquals(dev.idefics4j.tensor.Bf16Dot.available() ? 0 : 1, both.exitCode(), both.err());
    }

    @Test
    void randomCheckpointAndInspect() throws IOException {
        Path out = dir.resolve("rand");
        CliRunner.Result r = CliRunner.run("random-checkpoint", "--like",
                TestData.model("tiny").resolve("config.json").toString(), "--dtype", "f32", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode info = json(CliRunner.run("inspect", "--model", out.toString()));
        assertEquals(32, info.get("hidden_size").asInt());
        assertEquals(32003, info.get("vocab_size").asInt());
        assertTrue(info.get("weight_bytes").asLong() > 8_000_000, "f32 weights");
        assertTrue(info.get("peak_resident_bytes").asLong() >= info.get("resident_bytes_after_load").asLong());
        assertTrue(info.get("heap_max_bytes").asLong() > 0);
        JsonNode run = json(CliRunner.run("inspect", "--model", out.toString(), "--decode", "3"));
        assertEquals(3, run.get("decoded_tokens").asInt(), run.toString());
        assertTrue(run.get("prompt_tokens").asInt() > 0);
        assertTrue(run.get("peak_resident_bytes").asLong() >= run.get("resident_bytes_after_decode").asLong());
    }
}
