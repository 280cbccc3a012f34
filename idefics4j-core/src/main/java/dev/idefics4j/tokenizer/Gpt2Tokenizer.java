package dev.idefics4j.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * transformers' slow {@code GPT2Tokenizer} over {@code vocab.json} and {@code merges.txt}, the slow class of SmolLM2,
 * SmolVLM and Idefics3 checkpoints: added tokens are split out of the text, each run between them is cut with GPT-2's
 * regex, written in the byte-level alphabet and BPE-encoded; BOS is added only with {@code add_bos_token}. Decoding
 * follows {@code PreTrainedTokenizer._decode} ({@link SlowTokenizer}), each run of tokens turned back into bytes and
 * decoded as UTF-8 with U+FFFD for invalid bytes ({@code errors="replace"}).
 */
final class Gpt2Tokenizer extends SlowTokenizer {
    static final String VOCAB_FILE = "vocab.json";
    static final String MERGES_FILE = "merges.txt";
    private static final ByteLevel PRE_TOKENIZER = new ByteLevel(false, true);

    private final BpeVocabulary vocab;
    private final MergeBpe bpe;

    private Gpt2Tokenizer(TokenizerConfig config, BpeVocabulary vocab, MergeBpe bpe, List<AddedToken> added, Path dir) {
        super(config, vocab, added, Side.RIGHT, t -> true, bosEosTemplate(config, added, false, dir));
        this.vocab = vocab;
        this.bpe = bpe;
    }

    static Gpt2Tokenizer load(Path dir) {
        TokenizerConfig config = TokenizerConfig.load(dir, name -> TokenizerClass.GPT2);
        if (config.errors != null && !config.errors.equals("replace")) {
            throw new TokenizerException(dir.resolve(TokenizerConfig.CONFIG_FILE) + ": errors=\"" + config.errors
                    + "\" is not supported (only \"replace\")");
        }
        Path mergesFile = dir.resolve(MERGES_FILE);
        BpeVocabulary vocab = new BpeVocabulary(TokenizerJsonFile.readVocab(dir.resolve(VOCAB_FILE)));
        String unk = config.specialTokens.unk();
        MergeBpe bpe = new MergeBpe(vocab.ids(), MergeTable.of(readMerges(mergesFile), vocab.ids(), mergesFile),
                unk == null ? -1 : vocab.id(unk), false, false, false);
        List<AddedToken> added = withSpecialTokens(config.declaredAddedTokens, config.specialTokens, vocab::id,
                vocab.size());
        return new Gpt2Tokenizer(config, vocab, bpe, added, dir);
    }

    /**
     * The merges of merges.txt in rank order, as GPT2Tokenizer reads them: lines split at {@code "\n"}, the first line
     * (the {@code #version} header) and the last one (empty after the final newline) left out.
     */
    static List<String[]> readMerges(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file + ": file not found", e);
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
        }
        String[] lines = text.split("\n", -1);
        List<String[]> merges = new ArrayList<>(Math.max(0, lines.length - 2));
        for (int i = 1; i < lines.length - 1; i++) {
            String[] pair = whitespaceSplit(lines[i]);
            if (pair.length != 2) {
                throw new TokenizerException(file + ": line " + (i + 1) + " \"" + lines[i] + "\" is not two tokens");
            }
            merges.add(pair);
        }
        return merges;
    }

    /** Python's {@code str.split()}: the runs of non-whitespace characters. */
    private static String[] whitespaceSplit(String line) {
        List<String> parts = new ArrayList<>(2);
        int start = -1;
        for (int i = 0; i <= line.length(); i++) {
            boolean space = i == line.length() || Character.isWhitespace(line.charAt(i))
                    || Character.isSpaceChar(line.charAt(i));
            if (space && start >= 0) {
                parts.add(line.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        return parts.toArray(new String[0]);
    }

    @Override
    public Flavor flavor() {
        return Flavor.GPT2;
    }

    @Override
    protected String prepareForTokenization(String text) {
        return config.addPrefixSpace ? " " + text : text;
    }

    @Override
    protected void encodeText(String text, IntArrayBuilder out) {
        List<String> pieces = new ArrayList<>();
        PRE_TOKENIZER.split(text, pieces);
        IntArrayBuilder ids = new IntArrayBuilder(text.length() / 2 + 2);
        for (String piece : pieces) {
            bpe.tokenize(piece, ids);
        }
        int[] array = ids.array();
        for (int i = 0; i < ids.size(); i++) {
            out.add(pieceId(array[i]));
        }
    }

    /**
     * {@code GPT2Tokenizer.convert_tokens_to_string}: the bytes of the tokens' characters decoded as UTF-8. (Python
     * fails on a character outside the byte alphabet; such a token contributes its own UTF-8 here, as in the fast
     * decoder.)
     */
    @Override
    protected String convertTokensToString(List<String> tokens) {
        return ByteLevel.decode(tokens);
    }
}
