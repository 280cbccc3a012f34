package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tokenize}: texts to ids and ids to texts with any tokenizer folder or file, against the Rust tokenizers
 * references ({@code real_smolvlm_tokenizer_cases.json}, {@code bytelevel_tokenizer_cases.json}) and the slow decode of
 * {@code slow_tokenizer_check}.
 */
class TokenizeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SMOLVLM = TestData.fixture("real/SmolVLM-256M-Instruct").toString();

    @TempDir
    Path dir;

    private static JsonNode run(String... args) throws IOException {
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(0, r.exitCode(), r.err());
        return JSON.readTree(r.out());
    }

    private static JsonNode reference(String file) throws IOException {
        return JSON.readTree(TestData.reference(file).toFile());
    }

    /** Field {@code field} of the first {@code n} entries of a reference list, as a JSON array. */
    private static ArrayNode column(JsonNode cases, String field, int n) {
        ArrayNode out = JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            out.add(cases.get(i).get(field));
        }
        return out;
    }

    @Test
    void encodesTextsOfAFolderWithAndWithoutSpecialTokens() throws IOException {
        JsonNode cases = reference("real_smolvlm_tokenizer_cases.json").get("encodings");
        ObjectNode request = JSON.createObjectNode().set("texts", column(cases, "text", 40));
        JsonNode out = run("tokenize", "--tokenizer", SMOLVLM, "--json", request.toString());
        assertEquals(column(cases, "ids", 40), out.get("input_ids"));
        request.put("add_special_tokens", false);
        Path file = dir.resolve("request.json");
        Files.writeString(file, request.toString());
        out = run("tokenize", "--tokenizer", SMOLVLM, "--request", file.toString());
        assertEquals(column(cases, "ids_no_special", 40), out.get("input_ids"));
    }

    @Test
    void decodesIdLists() throws IOException {
        JsonNode cases = reference("real_smolvlm_tokenizer_cases.json").get("decodes");
        ObjectNode request = JSON.createObjectNode().set("decode", column(cases, "ids", cases.size()));
        assertEquals(column(cases, "decode", cases.size()),
                run("tokenize", "--tokenizer", SMOLVLM, "--json", request.toString()).get("texts"));
        request.put("skip_special_tokens", true);
        assertEquals(column(cases, "decode_skip_special", cases.size()),
                run("tokenize", "--tokenizer", SMOLVLM, "--json", request.toString()).get("texts"));
    }

    /** A tokenizer.json file on its own: the Llama 3 split variant, whose post-processor adds the BOS. */
    @Test
    void takesATokenizerFile() throws IOException {
        JsonNode cases = reference("bytelevel_tokenizer_cases.json").get("cases").get("llama3-split");
        ObjectNode request = JSON.createObjectNode().set("texts", column(cases, "text", 45));
        JsonNode out = run("tokenize", "--tokenizer",
                TestData.fixture("tokenizer-bytelevel/llama3-split/tokenizer.json").toString(), "--json",
                request.toString());
        assertEquals(column(cases, "input_ids", 45), out.get("input_ids"));
    }

    /** {@code --flavor slow} decodes as transformers' GPT2Tokenizer: spaces around added tokens. */
    @Test
    void slowFlavorDecodesAsTheSlowClass() throws IOException {
        String tiny = TestData.model("tiny-smolvlm").toString();
        JsonNode ids = run("tokenize", "--tokenizer", tiny, "--json", "{\"texts\": [\"a<image>b\"]}").get("input_ids");
        String decode = JSON.createObjectNode().set("decode", ids).toString();
        assertEquals("a<image>b", run("tokenize", "--tokenizer", tiny, "--json", decode).get("texts").get(0).asText());
        assertEquals("a <image> b", run("tokenize", "--tokenizer", tiny, "--flavor", "slow", "--json", decode)
                .get("texts").get(0).asText());
        assertEquals("a <image> b", run("tokenize", "--tokenizer", tiny + "/vocab.json", "--json", decode)
                .get("texts").get(0).asText());
    }

    @Test
    void badRequestsAreOneClearLine() {
        String[][] bad = {
                {"{\"texts\": [\"a\"], \"decode\": [[1]]}", "either \"texts\""},
                {"{}", "either \"texts\""},
                {"{\"texts\": [\"a\"], \"skip_special_tokens\": true}", "unknown request field \"skip_special_tokens\""},
                {"{\"texts\": \"a\"}", "\"texts\" must be a list"},
                {"{\"texts\": [1]}", "must hold strings"},
                {"{\"decode\": [[1, 99999999]]}", "token id 99999999 is not in [0, 49280)"},
                {"{\"decode\": [1, 2]}", "list of lists"},
                {"{\"decode\": [[1]], \"skip_special_tokens\": \"yes\"}", "must be true or false"},
        };
        for (String[] c : bad) {
            CliRunner.Result r = CliRunner.run("tokenize", "--tokenizer", SMOLVLM, "--json", c[0]);
            assertEquals(1, r.exitCode(), c[0]);
            assertTrue(r.err().startsWith("error: ") && r.err().contains(c[1]), c[0] + " -> " + r.err());
        }
        CliRunner.Result missing = CliRunner.run("tokenize", "--tokenizer", dir.resolve("none").toString(), "--json",
                "{\"texts\": [\"a\"]}");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("no such file or folder"), missing.err());
        CliRunner.Result noSlow = CliRunner.run("tokenize", "--tokenizer",
                TestData.fixture("tokenizer-bytelevel/gpt2-regex").toString(), "--flavor", "slow", "--json",
                "{\"texts\": [\"a\"]}");
        assertEquals(1, noSlow.exitCode());
        assertTrue(noSlow.err().contains("no tokenizer.model or vocab.json"), noSlow.err());
    }
}
