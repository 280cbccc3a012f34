package dev.idefics4j.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * transformers' slow {@code LlamaTokenizer} with {@code legacy=True} over a SentencePiece {@code tokenizer.model}:
 * every run of text between added tokens is encoded by SentencePiece on its own (so each gets the dummy-prefix U+2581),
 * and decoding follows {@code PreTrainedTokenizer._decode} and {@code LlamaTokenizer.convert_tokens_to_string} with their
 * spacing quirks around special tokens.
 */
final class SentencePieceTokenizer extends BaseTokenizer {
    static final String MODEL_FILE = "tokenizer.model";
    private static final String SPACE_SYMBOL = String.valueOf(SentencePieceEncoder.SPACE_SYMBOL);

    private final SentencePieceModel model;
    private final SentencePieceEncoder encoder;
    private final SentencePieceDecoder decoder;
    private final Set<String> allSpecial;
    private final Set<Integer> allSpecialIds = new HashSet<>();
    /** Added tokens that decode splits the text at and joins with spaces (transformers' {@code legacy_added_tokens}). */
    private final Set<String> legacyAdded = new HashSet<>();

    private SentencePieceTokenizer(TokenizerConfig config, SentencePieceModel model, List<AddedToken> added, Path dir) {
        super(config, added, Side.RIGHT, t -> true, null, dir);
        this.model = model;
        this.encoder = new SentencePieceEncoder(model);
        this.decoder = new SentencePieceDecoder(model);
        this.allSpecial = new HashSet<>(allSpecialTokens());
        for (String s : allSpecial) {
            allSpecialIds.add(tokenToId(s));
        }
        for (AddedToken t : added) {
            if (!allSpecial.contains(t.content())) {
                legacyAdded.add(t.content());
            }
        }
        for (String s : additionalSpecialTokens()) {
            if (tokenToId(s) >= baseVocabSize()) {
                legacyAdded.add(s);
            }
        }
    }

    static SentencePieceTokenizer load(Path dir) {
        TokenizerConfig config = TokenizerConfig.load(dir);
        if (!config.legacy) {
            throw new TokenizerException(dir.resolve(TokenizerConfig.CONFIG_FILE)
                    + ": legacy=false is not supported (only the legacy LLaMA tokenization IDEFICS uses)");
        }
        SentencePieceModel model = SentencePieceModel.load(dir.resolve(MODEL_FILE));
        List<AddedToken> added = withSpecialTokens(config.declaredAddedTokens, config.specialTokens,
                s -> exactPieceId(model, s), model.size());
        return new SentencePieceTokenizer(config, model, added, dir);
    }

    private static int exactPieceId(SentencePieceModel model, String piece) {
        int id = model.pieceToId(piece);
        return model.idToPiece(id).equals(piece) ? id : -1;
    }

    @Override
    public Flavor flavor() {
        return Flavor.SENTENCEPIECE;
    }

    @Override
    protected void encodeText(String text, IntArrayBuilder out) {
        IntArrayBuilder pieces = new IntArrayBuilder(text.length() / 3 + 2);
        encoder.encode(text, pieces);
        for (int id : pieces.toArray()) {
            // transformers maps SentencePiece's piece strings to ids, added tokens first.
            AddedToken same = addedToken(model.idToPiece(id));
            out.add(same != null ? same.id() : id);
        }
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> subTexts = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (int id : ids) {
            if (skipSpecialTokens && allSpecialIds.contains(id)) {
                continue;
            }
            String token = idToToken(id);
            if (legacyAdded.contains(token)) {
                if (!current.isEmpty()) {
                    String s = tokensToString(current);
                    if (!s.isEmpty()) {
                        subTexts.add(s);
                    }
                    current = new ArrayList<>();
                }
                subTexts.add(token);
            } else {
                current.add(token);
            }
        }
        if (!current.isEmpty()) {
            subTexts.add(tokensToString(current));
        }
        // transformers' slow decode joins with spaces_between_special_tokens=True whatever the config says.
        return cleanUp(String.join(" ", subTexts));
    }

    /**
     * {@code LlamaTokenizer.convert_tokens_to_string}: drops the first token's U+2581, decodes the runs between special
     * tokens with SentencePiece, and (legacy) puts a space before a special token that follows text.
     */
    private String tokensToString(List<String> tokens) {
        if (config.addPrefixSpace && tokens.getFirst().startsWith(SPACE_SYMBOL)) {
            tokens.set(0, tokens.getFirst().substring(1));
        }
        StringBuilder out = new StringBuilder();
        List<String> run = new ArrayList<>();
        boolean prevIsSpecial = false;
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (allSpecial.contains(token)) {
                if (!prevIsSpecial && i != 0) {
                    out.append(' ');
                }
                out.append(decoder.decode(run)).append(token);
                prevIsSpecial = true;
                run.clear();
            } else {
                if (prevIsSpecial && i == 1 && config.addPrefixSpace && !token.startsWith(SPACE_SYMBOL)) {
                    out.append(' ');
                }
                run.add(token);
                prevIsSpecial = false;
            }
        }
        return out.append(decoder.decode(run)).toString();
    }

    @Override
    public boolean isSpecialId(int id) {
        return allSpecialIds.contains(id);
    }

    @Override
    public int baseVocabSize() {
        return model.size();
    }

    @Override
    protected int modelTokenId(String token) {
        return exactPieceId(model, token);
    }

    @Override
    protected String modelToken(int id) {
        return model.idToPiece(id);
    }
}
