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

/** What all flavours share: added and special tokens, id lookup, and the options from tokenizer_config.json. */
abstract class BaseTokenizer implements Tokenizer {
    protected final TokenizerConfig config;
    private final Vocabulary vocabulary;
    private final List<AddedToken> addedTokens;
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    /** Splits the raw text on the added tokens matched there (before normalization). */
    private final AddedTokenSplitter rawSplitter;
    private final List<String> allSpecialTokens;
    private final Side paddingSide;
    private final TemplatePostProcessor template;

    /**
     * @param vocabulary  the vocabulary model's own tokens
     * @param addedTokens the added tokens, special tokens included (see {@link #withSpecialTokens})
     * @param rawMatch    which added tokens are split out of the raw text (the others are the subclass's business)
     * @param template    the special tokens {@link #addSpecialTokens} puts around a sequence
     */
    protected BaseTokenizer(TokenizerConfig config, Vocabulary vocabulary, List<AddedToken> addedTokens,
                            Side defaultPaddingSide, Predicate<AddedToken> rawMatch, TemplatePostProcessor template) {
        this.config = config;
        this.vocabulary = vocabulary;
        this.addedTokens = List.copyOf(addedTokens);
        for (AddedToken t : addedTokens) {
            addedByContent.putIfAbsent(t.content(), t);
            addedById.putIfAbsent(t.id(), t);
        }
        this.rawSplitter = new AddedTokenSplitter(addedByContent.values().stream().filter(rawMatch).toList());
        this.allSpecialTokens = List.copyOf(specialTokenStrings(config.specialTokens));
        this.paddingSide = config.paddingSide != null ? config.paddingSide : defaultPaddingSide;
        this.template = template;
    }

    /**
     * transformers' template of the slow classes and of LlamaTokenizerFast: {@code [bos] $A [eos]}, each as
     * {@code add_bos_token} / {@code add_eos_token} say (the class's default when they do not).
     *
     * @param readsAddEosToken whether the class honours {@code add_eos_token} (GPT2Tokenizer does not)
     */
    static TemplatePostProcessor bosEosTemplate(TokenizerConfig config, List<AddedToken> addedTokens,
                                                boolean readsAddEosToken, Path dir) {
        boolean addBos = config.addBosToken != null ? config.addBosToken : config.tokenizerClass.addBosToken;
        boolean addEos = readsAddEosToken && config.addEosToken != null && config.addEosToken;
        return TemplatePostProcessor.bosEos(addBos, addedId(addedTokens, config.specialTokens.bos()),
                addEos, addedId(addedTokens, config.specialTokens.eos()), dir.resolve(TokenizerConfig.CONFIG_FILE));
    }

    private static int addedId(List<AddedToken> addedTokens, String content) {
        for (AddedToken t : addedTokens) {
            if (t.content().equals(content)) {
                return t.id();
            }
        }
        return -1;
    }

    /** The text as the class hands it to tokenization (transformers' {@code prepare_for_tokenization}). */
    protected String prepareForTokenization(String text) {
        return text;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        IntArrayBuilder out = new IntArrayBuilder(text.length() / 3 + 2);
        for (AddedTokenSplitter.Segment seg : rawSplitter.split(prepareForTokenization(Utf8.encodable(text)))) {
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
        return vocabulary.token(id);
    }

    @Override
    public OptionalInt findTokenId(String token) {
        AddedToken t = addedByContent.get(token);
        if (t != null) {
            return OptionalInt.of(t.id());
        }
        int id = vocabulary.id(token);
        return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
    }

    @Override
    public int baseVocabSize() {
        return vocabulary.size();
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
