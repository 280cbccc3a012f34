package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tokenizer of a Hugging Face {@code tokenizer.json} (transformers' {@code LlamaTokenizerFast}, i.e. the tokenizers
 * library): added tokens are split out, each remaining run is normalized (Prepend U+2581, spaces to U+2581) and
 * BPE-encoded with the merge list; decoding concatenates the token strings through the file's decoder chain.
 */
final class FastTokenizer extends BaseTokenizer {
    static final String FILE = "tokenizer.json";
    private static final Set<String> LLAMA_CLASSES = Set.of("LlamaTokenizer", "LlamaTokenizerFast");

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final MergeBpe bpe;
    private final FastNormalizer normalizer;
    private final FastDecoder decoder;
    /** Added tokens matched in the normalized text (normalized=true); the others are split out of the raw text. */
    private final AddedTokenSplitter normalizedSplitter;

    private FastTokenizer(TokenizerConfig config, Parts p, Path dir) {
        // transformers' LlamaTokenizerFast rebuilds the template from add_bos_token / add_eos_token.
        super(config, withSpecialTokens(p.added, config.specialTokens, s -> p.vocab.getOrDefault(s, -1), p.idToToken.length),
                Side.LEFT, t -> !t.normalized(),
                config.hasConfigFile && LLAMA_CLASSES.contains(config.tokenizerClass) ? null : p.template, dir);
        this.vocab = p.vocab;
        this.idToToken = p.idToToken;
        this.bpe = p.bpe;
        this.normalizer = p.normalizer;
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
    private record Parts(Map<String, Integer> vocab, String[] idToToken, MergeBpe bpe, List<AddedToken> added,
                         FastNormalizer normalizer, FastDecoder decoder, TemplatePostProcessor template) {
    }

    static FastTokenizer load(Path dir) {
        TokenizerConfig config = TokenizerConfig.load(dir);
        Path file = dir.resolve(FILE);
        TokenizerJsonFile json = TokenizerJsonFile.read(file);
        JsonNode root = json.root();
        if (root.hasNonNull("pre_tokenizer")) {
            throw new TokenizerException(file + ": pre_tokenizer \"" + root.get("pre_tokenizer").path("type").asText()
                    + "\" is not supported");
        }
        JsonNode model = json.model();
        String type = JsonFiles.text(model, "type", file);
        if (type != null && !type.equals("BPE")) {
            throw new TokenizerException(file + ": model type \"" + type + "\" is not supported (only BPE)");
        }
        checkUnsupportedOptions(model, file);
        Map<String, Integer> vocab = json.vocab();
        String[] idToToken = new String[vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        vocab.forEach((token, id) -> idToToken[id] = token);
        String unk = JsonFiles.text(model, "unk_token", file);
        if (unk != null && !vocab.containsKey(unk)) {
            throw new TokenizerException(file + ": unk_token \"" + unk + "\" is not in the vocabulary");
        }
        MergeBpe bpe = new MergeBpe(vocab, mergeTable(json.merges(), vocab, file), unk == null ? -1 : vocab.get(unk),
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
        Parts parts = new Parts(vocab, idToToken, bpe, added,
                FastNormalizer.parse(root.get("normalizer"), file),
                FastDecoder.parse(root.get("decoder"), file),
                TemplatePostProcessor.parse(root.get("post_processor"), file));
        return new FastTokenizer(config, parts, dir);
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

    /** The merges by pair of ids; the rank is the position in the file, and the merged token must be in the vocabulary. */
    private static MergeTable mergeTable(List<String[]> merges, Map<String, Integer> vocab, Path file) {
        MergeTable table = new MergeTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String left = merges.get(rank)[0];
            String right = merges.get(rank)[1];
            table.put(vocabId(vocab, left, rank, file), vocabId(vocab, right, rank, file), rank,
                    vocabId(vocab, left + right, rank, file));
        }
        return table;
    }

    private static int vocabId(Map<String, Integer> vocab, String token, int rank, Path file) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new TokenizerException(file + ": merge " + rank + " uses \"" + token + "\", which is not in the vocabulary");
        }
        return id;
    }

    @Override
    public Flavor flavor() {
        return Flavor.TOKENIZER_JSON;
    }

    @Override
    protected void encodeText(String text, IntArrayBuilder out) {
        for (AddedTokenSplitter.Segment seg : normalizedSplitter.split(normalizer.normalize(text))) {
            if (seg.isToken()) {
                out.add(seg.token().id());
            } else {
                bpe.tokenize(seg.text(), out);
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

    @Override
    public int baseVocabSize() {
        return idToToken.length;
    }

    @Override
    protected int modelTokenId(String token) {
        return vocab.getOrDefault(token, -1);
    }

    @Override
    protected String modelToken(int id) {
        String token = idToToken[id];
        if (token == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
        }
        return token;
    }
}
