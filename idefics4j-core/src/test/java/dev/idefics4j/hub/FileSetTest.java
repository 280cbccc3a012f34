package dev.idefics4j.hub;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileSetTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @Test
    void globsFollowFnmatch() {
        FileSet s = FileSet.of("*.json", "tok?nizer.model", "shard-[0-9].bin", "onnx/", "[!a]x");

        assertTrue(s.matches("config.json"));
        assertTrue(s.matches("sub/dir/config.json"), "* also matches /");
        assertTrue(s.matches("tokenizer.model"));
        assertTrue(s.matches("shard-3.bin"));
        assertFalse(s.matches("shard-x.bin"));
        assertTrue(s.matches("onnx/model.onnx"), "a trailing / means the whole folder");
        assertTrue(s.matches("bx"));
        assertFalse(s.matches("ax"));
        assertFalse(s.matches("config.json.bak"));
    }

    @Test
    void excludesWin() {
        assertFalse(FileSet.of("*").excluding("*.bin").matches("pytorch_model.bin"));
    }

    @Test
    void theIdeficsSetSkipsWhatTheRepoLacksAndNeverTakesPickles() {
        RepoInfo repo = repo("config.json", "tokenizer.model", "model.safetensors", "pytorch_model.bin",
                "tf_model.h5", "flax_model.msgpack", "README.md");

        assertEquals(List.of("config.json", "tokenizer.model", "model.safetensors"), paths(FileSet.IDEFICS, repo));
        assertTrue(FileSet.IDEFICS.absentNames(repo).contains("preprocessor_config.json"));
    }

    /** SmolVLM's published file list (its ONNX exports and notebooks are left out). */
    @Test
    void aSmolVlmRepoGetsItsChatTemplateProcessorConfigAndByteLevelTokenizer() {
        RepoInfo repo = repo(".gitattributes", "README.md", "added_tokens.json", "chat_template.json", "config.json",
                "generation_config.json", "merges.txt", "model.safetensors", "onnx/decoder_model_merged.onnx",
                "onnx/vision_encoder.onnx", "preprocessor_config.json", "processor_config.json",
                "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.json");

        assertEquals(List.of("added_tokens.json", "chat_template.json", "config.json", "generation_config.json",
                "merges.txt", "model.safetensors", "preprocessor_config.json", "processor_config.json",
                "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.json"),
                paths(FileSet.IDEFICS, repo));
    }

    @Test
    void aSingleSafetensorsFileWinsOverItsIndex() {
        RepoInfo repo = repo("config.json", "model.safetensors", "model.safetensors.index.json");

        assertEquals(List.of("config.json", "model.safetensors"), paths(FileSet.IDEFICS, repo));
    }

    @Test
    void anIndexIsKeptWithoutTheSingleFile() {
        RepoInfo repo = repo("config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors");

        assertEquals(List.of("config.json", "model.safetensors.index.json"), paths(FileSet.IDEFICS, repo),
                "the shards come from the index, not from the patterns");
    }

    @Test
    void aMissingRequiredFileFailsBeforeAnyDownload() {
        TestAsserts.fails(HubException.Kind.FILE_NOT_FOUND,
                () -> FileSet.IDEFICS.select(repo("model.safetensors"), "org/x@main"));
        TestAsserts.fails(HubException.Kind.FILE_NOT_FOUND,
                () -> FileSet.of("*").requiring("a.txt", "b.txt").select(repo("c.txt"), "org/x@main"));
    }

    private static List<String> paths(FileSet set, RepoInfo repo) {
        return set.select(repo, "org/x@main").stream().map(RepoFile::path).toList();
    }

    private static RepoInfo repo(String... paths) {
        return new RepoInfo(COMMIT, Arrays.stream(paths).map(p -> new RepoFile(p, 1, "b" + p.length(), null))
                .toList());
    }
}
