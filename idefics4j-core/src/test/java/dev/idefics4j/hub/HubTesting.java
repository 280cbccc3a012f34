package dev.idefics4j.hub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A small IDEFICS-shaped repository for {@link FakeHub} and clients pointed at it. */
final class HubTesting {
    static final String REPO = "HuggingFaceM4/tiny-idefics";
    static final String SHARD1 = "model-00001-of-00002.safetensors";
    static final String SHARD2 = "model-00002-of-00002.safetensors";
    /** The files {@link FileSet#IDEFICS} selects from {@link #ideficsRepo()}. */
    static final List<String> WANTED = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "model.safetensors.index.json", SHARD1, SHARD2);

    private HubTesting() {
    }

    /** Configs, a sharded checkpoint, and what must not be fetched: a README and a PyTorch pickle. */
    static List<FakeHub.File> ideficsRepo() {
        return List.of(
                text(".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n"),
                text("README.md", "# tiny idefics\n"),
                text("config.json", "{\"model_type\": \"idefics\", \"hidden_size\": 16}"),
                text("generation_config.json", "{\"bos_token_id\": 1}"),
                text("tokenizer.json", "{\"version\": \"1.0\"}"),
                text("tokenizer_config.json", "{\"model_max_length\": 2048}"),
                text("special_tokens_map.json", "{\"bos_token\": \"<s>\"}"),
                text("model.safetensors.index.json", "{\"metadata\": {\"total_size\": 1}, \"weight_map\": {"
                        + "\"a.weight\": \"" + SHARD1 + "\", \"b.weight\": \"" + SHARD2 + "\", \"c.weight\": \""
                        + SHARD1 + "\"}}"),
                lfs(SHARD1, 300_000, 1),
                lfs(SHARD2, 120_000, 2),
                lfs("pytorch_model.bin", 50_000, 3));
    }

    static FakeHub.File text(String path, String content) {
        return new FakeHub.File(path, content.getBytes(StandardCharsets.UTF_8), false);
    }

    static FakeHub.File lfs(String path, int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return new FakeHub.File(path, b, true);
    }

    static FakeHub.File file(List<FakeHub.File> files, String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow();
    }

    /** A silent client on {@code hub} caching under {@code home}, retrying at once. */
    static HubConfig config(FakeHub hub, Path home) {
        return HubConfig.fromEnvironment(Map.of("HF_HOME", home.toString(), "HF_ENDPOINT",
                        hub.endpoint().toString(), "HF_HUB_DISABLE_PROGRESS_BARS", "1"))
                .withRetries(2, Duration.ZERO).withTimeout(Duration.ofSeconds(5));
    }

    static HubClient client(FakeHub hub, Path home) {
        return new HubClient(config(hub, home));
    }

    static Path repoFolder(Path home) {
        return home.resolve("hub").resolve("models--HuggingFaceM4--tiny-idefics");
    }
}
