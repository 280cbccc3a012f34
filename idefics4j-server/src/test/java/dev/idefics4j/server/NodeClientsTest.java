package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The JS clients themselves against the server: Hugging Face's {@code @huggingface/inference} 4.x
 * ({@code textGeneration}, {@code textGenerationStream}: both on {@code /v1/completions}) and the OpenAI Node SDK
 * 6.x ({@code models.retrieve}, {@code completions.create}). Runs when {@code node} is on the PATH and
 * {@code IDEFICS4J_NODE_MODULES} names a node_modules folder holding both packages
 * ({@code npm install @huggingface/inference@4 openai@6} in a folder outside the repository); skipped otherwise.
 * {@link CompletionsApiTest} sends the HF client's exact requests without Node.
 */
class NodeClientsTest {
    private static final String MODEL = "HuggingFaceM4/idefics-tiny";

    @Test
    void hfInferenceAndOpenAiNodeClients() throws Exception {
        String modules = System.getenv("IDEFICS4J_NODE_MODULES");
        assumeTrue(modules != null && Files.isDirectory(Path.of(modules, "@huggingface", "inference"))
                && Files.isDirectory(Path.of(modules, "openai")), "IDEFICS4J_NODE_MODULES with the JS clients");
        assumeTrue(nodeRuns(), "node on the PATH");
        Path media = TestData.fixture("images");
        String prompt = "User: What is in this image?![](cat_rgb_97x61.jpg)<end_of_utterance>\nAssistant:";
        try (IdeficsServer server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0)
                .modelName(MODEL).mediaDir(media).build())) {
            ProcessBuilder pb = new ProcessBuilder("node", script().toString(), "http://127.0.0.1:" + server.port(),
                    prompt, MODEL).redirectErrorStream(true);
            pb.environment().put("NODE_PATH", modules);
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), output);
            JsonNode got = Http.parse(output.lines().reduce((a, b) -> b).orElseThrow());
            String want = TestModel.greedy(TestModel.chatTurn("What is in this image?", "cat_rgb_97x61.jpg"), 10);
            assertTrue(!want.isEmpty());
            assertEquals(want, got.get("textGeneration").asText());
            assertEquals(want, got.get("textGenerationStream").asText());
            assertEquals(want, got.get("completion").asText());
            assertEquals(MODEL, got.get("modelsRetrieve").asText());
        }
    }

    private static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path script() throws URISyntaxException {
        return Path.of(NodeClientsTest.class.getResource("node-clients.cjs").toURI());
    }
}
