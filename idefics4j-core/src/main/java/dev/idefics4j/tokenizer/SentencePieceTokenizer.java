package dev.idefics4j.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * transformers' slow {@code LlamaTokenizer} with {@code legacy=True} over a SentencePiece {@code tokenizer.model}:
 * every run of text between added tokens is encoded by SentencePiece on its own (so each gets the dummy-prefix U+2581),
 * and decoding follows {@code PreTrainedTokenizer._decode} ({@link SlowTokenizer}) and
 * {@code LlamaTokenizer.convert_tokens_to_string} with their spacing quirks around special tokens.
 */
final class SentencePieceTokenizer extends SlowTokenizer {
    static final String MODEL_FILE = "tokenizer.model";
    private static final String SPACE_SYMBOL = String.valueOf(SentencePieceEncoder.SPACE_SYMBOL);

    private final SentencePieceModel model;
    private final SentencePieceEncoder encoder;
    private final SentencePieceDecoder decoder;

    private SentencePieceTokenizer(TokenizerConfig config, SentencePieceModel model, List<AddedToken> added, Path dir) {
        super(config, model, added, Side.RIGHT, t -> true, bosEosTemplate(config, added, true, dir));
        this.model = model;
        this.encoder = new SentencePieceEncoder(model);
        this.decoder = new SentencePieceDecoder(model);
    }

    static SentencePieceTokenizer load(Path dir) {
        TokenizerConfig config = TokenizerConfig.load(dir, name -> TokenizerClass.LLAMA);
        if (!config.legacy) {
            throw new TokenizerException(dir.resolve(TokenizerConfig.CONFIG_FILE)
                    + ": legacy=false is not supported (only the legacy LLaMA tokenization IDEFICS uses)");
        }
        SentencePieceModel model = SentencePieceModel.load(dir.resolve(MODEL_FILE));
        List<AddedToken> added = withSpecialTokens(config.declaredAddedTokens, config.specialTokens,
                model::id, model.size());
        return new SentencePieceTokenizer(config, model, added, dir);
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
            out.add(pieceId(id));
        }
    }

    /**
     * {@code LlamaTokenizer.convert_tokens_to_string}: drops the first token's U+2581, decodes the runs between special
     * tokens with SentencePiece, and (legacy) puts a space before a special token that follows text.
     */
    @Override
    protected String convertTokensToString(List<String> tokens) {
        if (config.addPrefixSpace && tokens.getFirst().startsWith(SPACE_SYMBOL)) {
            tokens.set(0, tokens.getFirst().substring(1));
        }
        StringBuilder out = new StringBuilder();
        List<String> run = new ArrayList<>();
        boolean prevIsSpecial = false;
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (isSpecialToken(token)) {
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
}
