package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON contract of the command line for Idefics3/SmolVLM checkpoints, on tiny-smolvlm: an image item stands where
 * the reference's text has {@code <image>}, processor options sit at the request's top level, {@code encode} shows
 * the ids, the mask, pixel_attention_mask's shape and each image's tile grid, {@code generate} returns the reference's
 * sequences and (with the slow tokenizer the references use) its texts.
 */
class Idefics3CommandLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SMOLVLM = TestData.model("tiny-smolvlm").toString();
    private static final String CAT = image("cat_rgb_97x61.jpg");
    private static final String SMALL_CAT = image("cat_small_20x16.png");
    private static final String ROCKET = image("rocket_rgb_200x320.jpg");

    @TempDir
    Path dir;

    private static String image(String file) {
        return TestData.fixture("images/" + file).toString();
    }

    private static JsonNode json(CliRunner.Result r) throws IOException {
        assertEquals(0, r.exitCode(), r.err());
        return JSON.readTree(r.out());
    }

    private static JsonNode processorCase(String id) {
        return ReferenceCase.cases(TestData.reference("tiny-smolvlm/processor.json")).get(id);
    }

    private static JsonNode generateCase(String id) {
        return ReferenceCase.cases(TestData.reference("tiny-smolvlm/generate.json")).get(id);
    }

    /** batch3 of processor.json: a left-padded batch with 1, 0 and 2 images. */
    private static String batch3(String extra) {
        return "{\"prompts\": [[\"User:\", {\"image\": \"" + CAT + "\"}, \"What animal is this?<end_of_utterance>\\n"
                + "Assistant:\"], [\"User: Hi!<end_of_utterance>\\nAssistant:\"], [\"User:\", {\"image\": \"" + ROCKET
                + "\"}, {\"image\": \"" + SMALL_CAT + "\"}, \"Describe both pictures in detail, please."
                + "<end_of_utterance>\\nAssistant:\"]]" + extra + "}";
    }

    private static void assertEncodes(JsonNode ref, JsonNode out) {
        assertEquals(ref.get("prompt_strings"), out.get("prompt_strings"));
        assertEquals(ref.get("input_ids"), out.get("input_ids"));
        assertEquals(ref.get("attention_mask"), out.get("attention_mask"));
        assertEquals(ref.get("pixel_attention_mask").get("shape"), out.get("pixel_attention_mask_shape"));
        assertEquals(ref.get("rows"), out.get("rows"));
        assertEquals(ref.get("cols"), out.get("cols"));
    }

    @Test
    void encodeShowsWhatTheReferenceProcessorBuilds() throws IOException {
        assertEncodes(processorCase("batch3"), json(CliRunner.run("encode", "--model", SMOLVLM, "--json",
                batch3(""))));
        JsonNode out = json(CliRunner.run("encode", "--model", SMOLVLM, "--json",
                batch3(", \"do_image_splitting\": false")));
        assertEncodes(processorCase("batch3_no_split"), out);
        assertEquals(CAT, out.get("images").get(0).get(0).asText());
        assertEquals(0, out.get("images").get(1).size());
    }

    @Test
    void processorOptionsAtTheTopLevelReachTheProcessor() throws IOException {
        assertEncodes(processorCase("padding_max_length"), json(CliRunner.run("encode", "--model", SMOLVLM, "--json",
                "{\"prompts\": [[\"A photo of\", {\"image\": \"" + SMALL_CAT + "\"}], [\"User:\", {\"image\": \""
                        + ROCKET + "\"}, \"Describe this image.<end_of_utterance>\\nAssistant:\"]], "
                        + "\"padding\": \"max_length\", \"max_length\": 84}")));
        assertEncodes(processorCase("do_resize_false"), json(CliRunner.run("encode", "--model", SMOLVLM, "--json",
                "{\"prompts\": [[\"A photo of\", {\"image\": \"" + SMALL_CAT + "\"}]], \"do_resize\": false}")));
        // tiny-idefics3's tokenizer adds a BOS; add_special_tokens false leaves it out.
        JsonNode noBos = ReferenceCase.cases(TestData.reference("tiny-idefics3/processor.json"))
                .get("no_special_tokens");
        assertEncodes(noBos, json(CliRunner.run("encode", "--model", TestData.model("tiny-idefics3").toString(),
                "--json", "{\"prompts\": [[\"User:\", {\"image\": \"" + ROCKET + "\"}, \"Describe this image."
                        + "<end_of_utterance>\\nAssistant:\"]], \"add_special_tokens\": false}")));
    }

    @Test
    void optionsAProcessorCannotHonourAreRefusedByName() {
        CliRunner.Result eos = CliRunner.run("encode", "--model", SMOLVLM, "--json",
                "{\"prompts\": [[\"Hi\"]], \"add_eos_token\": true}");
        assertEquals(1, eos.exitCode());
        assertTrue(eos.err().contains("add_eos_token=true cannot be honoured"), eos.err());
        CliRunner.Result split = CliRunner.run("encode", "--model", TestData.model("tiny").toString(), "--json",
                "{\"prompts\": [[\"Hi\"]], \"do_image_splitting\": true}");
        assertEquals(1, split.exitCode());
        assertTrue(split.err().contains("do_image_splitting=true cannot be honoured: IDEFICS v1's processor does not "
                + "split images"), split.err());
    }

    /** batch3_greedy_eos_fires: the middle row stops early and is padded; texts as processor.batch_decode. */
    @Test
    void generateReturnsTheReferenceSequences() throws IOException {
        JsonNode ref = generateCase("batch3_greedy_eos_fires");
        JsonNode out = json(CliRunner.run("generate", "--model", SMOLVLM, "--tokenizer", "gpt2", "--json",
                batch3(", \"max_new_tokens\": 8, \"bad_words_ids\": [[1799], [1798]], \"eos_token_id\": [1662]")));
        assertEquals(3, out.get("sequences").size());
        for (int i = 0; i < 3; i++) {
            JsonNode seq = out.get("sequences").get(i);
            assertEquals(ref.get("sequences").get(i), seq.get("ids"), "row " + i);
            assertEquals(ref.get("new_tokens").get(i), seq.get("new_ids"), "row " + i);
            assertEquals(ref.get("text_full_skip_special").get(i).asText(), seq.get("text").asText(), "row " + i);
            assertEquals(ref.get("text_new_skip_special").get(i).asText(), seq.get("new_text").asText(), "row " + i);
            assertEquals(i == 1 ? "eos" : "length", seq.get("finish_reason").asText(), "row " + i);
        }
    }

    @Test
    void generateBeamSearchWithTwoImages() throws IOException {
        JsonNode ref = generateCase("beam3_two_images");
        JsonNode out = json(CliRunner.run("generate", "--model", SMOLVLM, "--json", "{\"prompts\": [[\"User: What is "
                + "the difference between\", {\"image\": \"" + CAT + "\"}, \"and\", {\"image\": \"" + ROCKET + "\"}, "
                + "\"?<end_of_utterance>\\nAssistant:\"]], \"num_beams\": 3, \"max_new_tokens\": 8, "
                + "\"bad_words_ids\": [[1799], [1798]]}"));
        JsonNode seq = out.get("sequences").get(0);
        assertEquals(ref.get("sequences").get(0), seq.get("ids"));
        assertEquals(ref.get("sequences_scores").get(0).asDouble(), seq.get("score").asDouble(), 1e-4);
    }

    /** --quantize reaches the tower's, the connector's and the decoder's linear layers; a saved copy reloads. */
    @Test
    void quantizedLoadingAndSavedQuantizedCheckpoints() throws IOException {
        String request = "{\"prompts\": [[\"User:\", {\"image\": \"" + CAT + "\"}, \"Hi\"]], \"max_new_tokens\": 4, "
                + "\"min_new_tokens\": 4}";
        JsonNode int8 = json(CliRunner.run("generate", "--model", SMOLVLM, "--quantize", "int8", "--json", request));
        Path saved = dir.resolve("smolvlm-int8");
        CliRunner.Result q = CliRunner.run("quantize", "--model", SMOLVLM, "--quantize", "int8", "--out",
                saved.toString());
        assertEquals(0, q.exitCode(), q.err());
        JsonNode reloaded = json(CliRunner.run("generate", "--model", saved.toString(), "--json", request));
        assertEquals(int8.get("sequences").get(0).get("ids"), reloaded.get("sequences").get(0).get("ids"));
        JsonNode inspected = json(CliRunner.run("inspect", "--model", SMOLVLM, "--quantize", "nf4"));
        assertTrue(inspected.get("loaded_weight_bytes").asLong() < inspected.get("weight_bytes").asLong(),
                inspected.toString());
    }

    /** A random checkpoint of the tiny SmolVLM shape loads, is inspected and generates. */
    @Test
    void randomCheckpointOfTheSmolVlmShape() throws IOException {
        Path out = dir.resolve("rand");
        CliRunner.Result r = CliRunner.run("random-checkpoint", "--like",
                TestData.model("tiny-smolvlm").resolve("config.json").toString(), "--tokenizer-from", SMOLVLM,
                "--text-layers", "2", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(9, JSON.readTree(out.resolve("processor_config.json").toFile()).get("image_seq_len").asInt());
        JsonNode info = json(CliRunner.run("inspect", "--model", out.toString()));
        assertEquals("idefics3", info.get("model_type").asText());
        assertEquals(2, info.get("num_hidden_layers").asInt());
        assertEquals(1807, info.get("vocab_size").asInt());
        assertTrue(info.get("tie_word_embeddings").asBoolean());
        JsonNode gen = json(CliRunner.run("generate", "--model", out.toString(), "--json", "{\"prompts\": [[\"User:\", "
                + "{\"image\": \"" + CAT + "\"}, \"Hi<end_of_utterance>\\nAssistant:\"]], \"max_new_tokens\": 3, "
                + "\"min_new_tokens\": 3}"));
        assertEquals(3, gen.get("sequences").get(0).get("new_ids").size());
    }

    /**
     * {@code --like SmolVLM-256M-Instruct} writes the published shape with the bundled SmolVLM tokenizer (one layer
     * each here, to stay small); it loads and generates from an image.
     */
    @Test
    void randomCheckpointLikeThePublishedSmolVlm256m() throws IOException {
        Path out = dir.resolve("smolvlm-256m");
        CliRunner.Result r = CliRunner.run("random-checkpoint", "--like", "SmolVLM-256M-Instruct", "--text-layers",
                "1", "--vision-layers", "1", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("chat_template.json")));
        assertEquals(64, JSON.readTree(out.resolve("processor_config.json").toFile()).get("image_seq_len").asInt());
        JsonNode pre = JSON.readTree(out.resolve("preprocessor_config.json").toFile());
        assertEquals(512, pre.get("max_image_size").get("longest_edge").asInt());
        assertEquals(2048, pre.get("size").get("longest_edge").asInt());
        JsonNode info = json(CliRunner.run("inspect", "--model", out.toString()));
        assertEquals(49280, info.get("vocab_size").asInt());
        assertEquals(576, info.get("hidden_size").asInt());
        assertEquals(64, info.get("image_seq_len").asInt());
        // Unsplit, the image is one 512 x 512 frame: 64 <image> tokens.
        JsonNode gen = json(CliRunner.run("generate", "--model", out.toString(), "--json", "{\"prompts\": [[\"User:\", "
                + "{\"image\": \"" + CAT + "\"}, \"Hi<end_of_utterance>\\nAssistant:\"]], "
                + "\"do_image_splitting\": false, \"max_new_tokens\": 2, \"min_new_tokens\": 2}"));
        assertEquals(2, gen.get("sequences").get(0).get("new_ids").size());
    }
}
