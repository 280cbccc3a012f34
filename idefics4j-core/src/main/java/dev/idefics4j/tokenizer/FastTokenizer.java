package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizer of a Hugging Face {@code tokenizer.json}, as the tokenizers library runs it behind transformers' fast
 * classes: added tokens are split out, each remaining run is normalized (LLaMA: Prepend U+2581, spaces to U+2581),
 * cut by the pre-tokenizer (byte-level files: GPT-2's or Llama 3's regex, digits, the byte alphabet) and BPE-encoded
 * with the merge list piece by piece; the post-processor adds the special tokens, and decoding runs the token strings
 * through the file's decoder chain.
 */
final class FastTokenizer extends BaseTokenizer {
    static final String FILE = "tokenizer.json";

    private final BpeVocabulary vocab;
    private final MergeBpe bpe;
    private final FastNormalizer normalizer;
    /** {@code null} when the file has none: each normalized run is one piece. */
    private final PreTokenizer preTokenizer;
    private final FastDecoder decoder;
    /** Added tokens matched in the normalized text (normalized=true); the others are split out of the raw text. */
    private final AddedTokenSplitter normalizedSplitter;

    private FastTokenizer(TokenizerConfig config, Parts p, List<AddedToken> added, Path dir) {
        // transformers' LlamaTokenizerFast rebuilds the template from add_bos_token / add_eos_token and pads left.
        super(config, p.vocab, added, config.tokenizerClass == TokenizerClass.LLAMA ? Side.LEFT : Side.RIGHT,
                t -> !t.normalized(),
                config.tokenizerClass == TokenizerClass.LLAMA ? bosEosTemplate(config, added, true, dir) : p.template);
        this.vocab = p.vocab;
        this.bpe = p.bpe;
        this.normalizer = p.normalizer;
        this.preTokenizer = p.preTokenizer;
        this.decoder = p.decoder;
        List<AddedToken> normalized = new ArrayList<>();
        for (AddedToken t : addedTokens()) {
            if (t.normalized()) {
                // tokenizers matches these against their normalized form.
                String form = normalizer.normalize(t.content());
                normalized.add(new AddedToken(form, t.id(), t.lstrip(), t.rstrip(), true, t.special()));
            }
        }
        this.normalizedSplitter = new AddedTokenSplitter(normalized);
    }

    /** What tokenizer.json holds, parsed. */
    private record Parts(BpeVocabulary vocab, MergeBpe bpe, FastNormalizer normalizer,
                         PreTokenizer preTokenizer, FastDecoder decoder, TemplatePostProcessor template) {
    }

    /** {@code tokenizer.json} of a folder, with the folder's config files. */
    static FastTokenizer load(Path dir) {
        return load(dir, dir.resolve(FILE));
    }

    /** A tokenizer.json-format file of any name, with the config files of {@code dir}. */
    static FastTokenizer load(Path dir, Path file) {
        TokenizerConfig config = TokenizerConfig.load(dir,
                name -> TokenizerClass.named(name, TokenizerClass.PRETRAINED_FAST));
        TokenizerJsonFile json = TokenizerJsonFile.read(file);
        JsonNode root = json.root();
        JsonNode model = json.model();
        String type = JsonFiles.text(model, "type", file);
        if (type != null && !type.equals("BPE")) {
            throw new TokenizerException(file + ": model type \"" + type + "\" is not supported (only BPE)");
        }
        checkUnsupportedOptions(model, file);
        BpeVocabulary vocab = new BpeVocabulary(json.vocab());
        String unk = JsonFiles.text(model, "unk_token", file);
        if (unk != null && vocab.id(unk) < 0) {
            throw new TokenizerException(file + ": unk_token \"" + unk + "\" is not in the vocabulary");
        }
        MergeBpe bpe = new MergeBpe(vocab.ids(), MergeTable.of(json.merges(), vocab.ids(), file),
                unk == null ? -1 : vocab.id(unk),
                JsonFiles.bool(model, "fuse_unk", false, file),
                JsonFiles.bool(model, "byte_fallback", false, file),
                JsonFiles.bool(model, "ignore_merges", false, file));
        List<AddedToken> added = new ArrayList<>();
        JsonNode addedNode = root.get("added_tokens");
        if (addedNode != null && !addedNode.isNull()) {
            for (JsonNode t : addedNode) {
                added.add(TokenizerConfig.addedToken(t, JsonFiles.require(t, "id", file).asInt(), file));
            }
        }
        Parts parts = new Parts(vocab, bpe,
                FastNormalizer.parse(root.get("normalizer"), file),
                PreTokenizer.parse(preTokenizerAsConfigured(root.get("pre_tokenizer"), config), file),
                FastDecoder.parse(root.get("decoder"), file),
                TemplatePostProcessor.parse(root.get("post_processor"), file));
        return new FastTokenizer(config, parts,
                withSpecialTokens(added, config.specialTokens, vocab::id, vocab.size()), dir);
    }

    /**
     * The pre-tokenizer with {@code add_prefix_space} as transformers sets it: GPT2TokenizerFast (default false) and
     * an {@code add_prefix_space} in tokenizer_config.json replace the value of a top-level ByteLevel pre-tokenizer.
     */
    private static JsonNode preTokenizerAsConfigured(JsonNode node, TokenizerConfig config) {
        boolean configured = config.addPrefixSpaceSetting != null || config.tokenizerClass == TokenizerClass.GPT2;
        if (!configured || node == null || !node.isObject() || !"ByteLevel".equals(node.path("type").asText())) {
            return node;
        }
        return ((ObjectNode) node.deepCopy()).put("add_prefix_space", config.addPrefixSpace);
    }

    private static void checkUnsupportedOptions(JsonNode model, Path file) {
        JsonNode dropout = model.get("dropout");
        if (dropout != null && !dropout.isNull() && dropout.asDouble() > 0) {
            throw new TokenizerException(file + ": BPE dropout is not supported");
        }
        for (String option : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            String value = JsonFiles.text(model, option, file);
            if (value != null && !value.isEmpty()) {
                throw new TokenizerException(file + ": BPE " + option + " is not supported");
            }
        }
    }

    @Override
    public Flavor flavor() {
        return Flavor.TOKENIZER_JSON;
    }

    @Override
    protected void encodeText(String text, IntArrayBuilder out) {
        List<String> pieces = new ArrayList<>();
        for (AddedTokenSplitter.Segment seg : normalizedSplitter.split(normalizer.normalize(text))) {
            if (seg.isToken()) {
                out.add(seg.token().id());
            } else if (preTokenizer == null) {
                bpe.tokenize(seg.text(), out);
            } else {
                pieces.clear();
                preTokenizer.split(seg.text(), pieces);
                for (String piece : pieces) {
                    bpe.tokenize(piece, out);
                }
            }
        }
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (!(skipSpecialTokens && isSpecialId(id))) {
                tokens.add(idToToken(id));
            }
        }
        return cleanUp(decoder.decode(tokens));
    }

    @Override
    public boolean isSpecialId(int id) {
        AddedToken t = addedToken(id);
        return t != null && t.special();
    }
}
