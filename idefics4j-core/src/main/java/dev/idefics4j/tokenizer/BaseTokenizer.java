package dev.idefics4j.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/** What both flavours share: added and special tokens, id lookup, and the options from tokenizer_config.json. */
abstract class BaseTokenizer implements Tokenizer {
    protected final TokenizerConfig config;
    private final List<AddedToken> addedTokens;
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    /** Splits the raw text on the added tokens matched there (before normalization). */
    private final AddedTokenSplitter rawSplitter;
    private final List<String> allSpecialTokens;
    private final Side paddingSide;
    private final TemplatePostProcessor template;

    /**
     * @param addedTokens   all added tokens, special tokens included (see {@link #withSpecialTokens})
     * @param rawMatch      which added tokens are split out of the raw text (the others are the subclass's business)
     * @param fileTemplate  the special-token template the vocabulary file defines, or {@code null} for LLaMA's
     *                      {@code [bos] $A [eos]} by add_bos_token / add_eos_token
     */
    protected BaseTokenizer(TokenizerConfig config, List<AddedToken> addedTokens, Side defaultPaddingSide,
                            Predicate<AddedToken> rawMatch, TemplatePostProcessor fileTemplate, Path dir) {
        this.config = config;
        this.addedTokens = List.copyOf(addedTokens);
        for (AddedToken t : addedTokens) {
            addedByContent.putIfAbsent(t.content(), t);
            addedById.putIfAbsent(t.id(), t);
        }
        this.rawSplitter = new AddedTokenSplitter(addedByContent.values().stream().filter(rawMatch).toList());
        this.allSpecialTokens = List.copyOf(specialTokenStrings(config.specialTokens));
        this.paddingSide = config.paddingSide != null ? config.paddingSide : defaultPaddingSide;
        this.template = fileTemplate != null ? fileTemplate : TemplatePostProcessor.bosEos(
                config.addBosToken == null || config.addBosToken, addedId(config.specialTokens.bos()),
                config.addEosToken != null && config.addEosToken, addedId(config.specialTokens.eos()),
                dir.resolve(TokenizerConfig.CONFIG_FILE));
    }

    private int addedId(String content) {
        AddedToken t = content == null ? null : addedByContent.get(content);
        return t == null ? -1 : t.id();
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        IntArrayBuilder out = new IntArrayBuilder(text.length() / 3 + 2);
        for (AddedTokenSplitter.Segment seg : rawSplitter.split(Utf8.encodable(text))) {
            if (seg.isToken()) {
                out.add(seg.token().id());
            } else {
                encodeText(seg.text(), out);
            }
        }
        int[] ids = out.toArray();
        return addSpecialTokens ? addSpecialTokens(ids) : ids;
    }

    /** Appends the ids of a run of raw text that holds no added token matched in raw text. */
    protected abstract void encodeText(String text, IntArrayBuilder out);

    @Override
    public int[] addSpecialTokens(int[] ids) {
        return template.apply(ids);
    }

    /**
     * Completes the declared added tokens with the special tokens that are not among them, as transformers does when
     * it builds a tokenizer: a special token keeps its vocabulary id if it has one, otherwise it gets the next free id.
     */
    static List<AddedToken> withSpecialTokens(List<AddedToken> declared, SpecialTokens specials,
                                              ToIntFunction<String> vocabularyId, int baseVocabSize) {
        List<AddedToken> out = new ArrayList<>(declared);
        Set<String> present = new LinkedHashSet<>();
        int nextId = baseVocabSize;
        for (AddedToken t : declared) {
            present.add(t.content());
            nextId = Math.max(nextId, t.id() + 1);
        }
        for (String s : specialTokenStrings(specials)) {
            if (present.add(s)) {
                int id = vocabularyId.applyAsInt(s);
                out.add(new AddedToken(s, id >= 0 ? id : nextId++, false, false, false, true));
            }
        }
        return out;
    }

    private static Set<String> specialTokenStrings(SpecialTokens s) {
        Set<String> out = new LinkedHashSet<>();
        for (String t : new String[] {s.bos(), s.eos(), s.unk(), s.pad()}) {
            if (t != null) {
                out.add(t);
            }
        }
        out.addAll(s.additional());
        return out;
    }

    /** The vocabulary model's id of a piece, or -1. */
    protected abstract int modelTokenId(String token);

    /** The vocabulary model's piece of an id in {@code [0, baseVocabSize())}. */
    protected abstract String modelToken(int id);

    protected AddedToken addedToken(int id) {
        return addedById.get(id);
    }

    protected AddedToken addedToken(String content) {
        return addedByContent.get(content);
    }

    @Override
    public String idToToken(int id) {
        AddedToken t = addedById.get(id);
        if (t != null) {
            return t.content();
        }
        if (id < 0 || id >= baseVocabSize()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize() + ")");
        }
        return modelToken(id);
    }

    @Override
    public OptionalInt findTokenId(String token) {
        AddedToken t = addedByContent.get(token);
        if (t != null) {
            return OptionalInt.of(t.id());
        }
        int id = modelTokenId(token);
        return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
    }

    @Override
    public int vocabSize() {
        int base = baseVocabSize();
        return base + (int) addedById.keySet().stream().filter(id -> id >= base).count();
    }

    @Override
    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    @Override
    public SpecialTokens specialTokens() {
        return config.specialTokens;
    }

    @Override
    public List<String> allSpecialTokens() {
        return allSpecialTokens;
    }

    private int idOf(String token) {
        return token == null ? -1 : findTokenId(token).orElse(-1);
    }

    @Override
    public int bosTokenId() {
        return idOf(config.specialTokens.bos());
    }

    @Override
    public int eosTokenId() {
        return idOf(config.specialTokens.eos());
    }

    @Override
    public int unkTokenId() {
        return idOf(config.specialTokens.unk());
    }

    @Override
    public int padTokenId() {
        return idOf(config.specialTokens.pad());
    }

    @Override
    public int modelMaxLength() {
        return config.modelMaxLength;
    }

    @Override
    public Side paddingSide() {
        return paddingSide;
    }

    @Override
    public Side truncationSide() {
        return config.truncationSide;
    }

    /** transformers' {@code clean_up_tokenization}, applied when {@code clean_up_tokenization_spaces} is true. */
    protected String cleanUp(String text) {
        if (!config.cleanUpTokenizationSpaces) {
            return text;
        }
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }
}
