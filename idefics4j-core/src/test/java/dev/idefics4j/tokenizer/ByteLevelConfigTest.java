package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.idefics4j.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a byte-level tokenizer folder is read: the flavours it offers, a file of any name, add_prefix_space. */
class ByteLevelConfigTest {
    private static final Path IDEFICS3 = TestData.model("tiny-idefics3");
    private static final String[] FILES = {"tokenizer.json", "vocab.json", "merges.txt"};

    @TempDir
    Path tmp;

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    @Test
    void flavoursOfAFolderAndFilesOfAnyName() throws Exception {
        assertEquals(List.of(Flavor.TOKENIZER_JSON, Flavor.GPT2), Tokenizers.flavors(IDEFICS3));
        assertEquals(Flavor.TOKENIZER_JSON, Tokenizers.load(IDEFICS3).flavor());
        TestFolders.copy(IDEFICS3, tmp, "vocab.json", "merges.txt");
        TestFolders.copy(IDEFICS3, tmp, TestFolders.CONFIG_FILES);
        assertEquals(Flavor.GPT2, Tokenizers.load(tmp).flavor());
        Files.copy(IDEFICS3.resolve("tokenizer.json"), tmp.resolve("llama3-style.json"));
        Tokenizer renamed = Tokenizers.loadFile(tmp.resolve("llama3-style.json"));
        assertEquals(Flavor.TOKENIZER_JSON, renamed.flavor());
        String text = "User:<image>Describe this image.<end_of_utterance>\nAssistant:";
        assertArrayEquals(Tokenizers.load(IDEFICS3).encode(text), renamed.encode(text));
        assertEquals(Flavor.GPT2, Tokenizers.loadFile(tmp.resolve("vocab.json")).flavor());
    }

    /**
     * {@code add_prefix_space: true} in tokenizer_config.json: the fast class sets it on the ByteLevel pre-tokenizer,
     * which puts a space before every run of text between added tokens that does not start with one; the slow class
     * puts one space before the whole text, always.
     */
    @Test
    void addPrefixSpaceFromTheConfig() {
        TestFolders.copy(IDEFICS3, tmp, FILES);
        TestFolders.copy(IDEFICS3, tmp, TestFolders.CONFIG_FILES);
        TestFolders.editConfig(tmp, config -> config.put("add_prefix_space", true));
        Tokenizer plain = Tokenizers.load(IDEFICS3);
        int[] image = {plain.tokenToId("<image>")};
        Tokenizer fast = Tokenizers.load(tmp, Flavor.TOKENIZER_JSON);
        Tokenizer slow = Tokenizers.load(tmp, Flavor.GPT2);
        assertArrayEquals(plain.encode(" Hello world", false), fast.encode("Hello world", false));
        assertArrayEquals(plain.encode(" Hello world", false), slow.encode("Hello world", false));
        assertArrayEquals(plain.encode(" Hello world", false), fast.encode(" Hello world", false));
        assertArrayEquals(plain.encode("  Hello world", false), slow.encode(" Hello world", false));
        assertArrayEquals(concat(plain.encode(" a", false), image, plain.encode(" b", false)),
                fast.encode("a<image>b", false));
        assertArrayEquals(concat(plain.encode(" a", false), image, plain.encode("b", false)),
                slow.encode("a<image>b", false));
    }
}
