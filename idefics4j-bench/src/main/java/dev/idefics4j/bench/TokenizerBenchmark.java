package dev.idefics4j.bench;

import dev.idefics4j.tokenizer.Tokenizer;
import dev.idefics4j.tokenizer.Tokenizers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Loading a tokenizer and encoding a prompt of about 6000 characters that mixes prose, code, digits, accents, CJK,
 * emoji and image tokens: the LLaMA tokenizer (32 000 pieces) and SmolVLM-256M-Instruct's byte-level BPE (49 152
 * tokens), each from its tokenizer.json and from its slow file. The files are the bundled ones, relative to the
 * repository root (as {@code scripts/jmh.sh} runs); {@code -p file=...} picks another.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenizerBenchmark {
    @Param({"testdata/fixtures/tokenizer/tokenizer.json", "testdata/fixtures/tokenizer/tokenizer.model",
            "testdata/fixtures/real/SmolVLM-256M-Instruct/tokenizer.json",
            "testdata/fixtures/real/SmolVLM-256M-Instruct/vocab.json"})
    public String file;

    private Tokenizer tokenizer;
    private String prompt;

    @Setup(Level.Trial)
    public void setUp() {
        tokenizer = Tokenizers.loadFile(Path.of(file));
        String[] pieces = {"User: What is in this image?", "<fake_token_around_image><image><fake_token_around_image>",
                "  Two cats sleep on a red sofa, 3.14159 meters   apart.\n", "def f(x):\n\treturn x**2 # ok",
                "Café naïve façade — déjà vu", "日本語のテキストと中文", "emoji 🐈‍⬛🎉 and bytes \u0001",
                "<end_of_utterance>\nAssistant:"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 6000; i++) {
            sb.append(pieces[i % pieces.length]).append(i % 3 == 0 ? " " : "");
        }
        prompt = sb.toString();
    }

    @Benchmark
    public Tokenizer load() {
        return Tokenizers.loadFile(Path.of(file));
    }

    @Benchmark
    public int[] encodeLongPrompt() {
        return tokenizer.encode(prompt);
    }
}
