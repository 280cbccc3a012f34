package dev.idefics4j.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What transformers' slow (Python) tokenizer classes share: the ids of the vocabulary model's pieces go through the
 * added tokens first ({@code convert_tokens_to_ids}), and decoding follows {@code PreTrainedTokenizer._decode}:
 * {@code skip_special_tokens} drops only bos/eos/unk/pad and the additional special tokens; the added tokens that are
 * not among those (and additional special tokens past the vocabulary) cut the text into runs, each run is turned into
 * text by the class, and the runs and those tokens are joined with spaces ({@code spaces_between_special_tokens}
 * defaults to true there, whatever the config says); {@code clean_up_tokenization} applies when the config asks.
 */
abstract class SlowTokenizer extends BaseTokenizer {
    private final Set<String> allSpecial;
    private final Set<Integer> allSpecialIds = new HashSet<>();
    /** Added tokens that decode splits the text at and joins with spaces (transformers' {@code legacy_added_tokens}). */
    private final Set<String> legacyAdded = new HashSet<>();
    /** The added token's id for the vocabulary ids whose token is also an added token's content. */
    private final Map<Integer, Integer> addedIdOfPiece = new HashMap<>();

    protected SlowTokenizer(TokenizerConfig config, Vocabulary vocabulary, List<AddedToken> addedTokens,
                            Side defaultPaddingSide, Predicate<AddedToken> rawMatch, TemplatePostProcessor template) {
        super(config, vocabulary, addedTokens, defaultPaddingSide, rawMatch, template);
        this.allSpecial = new HashSet<>(allSpecialTokens());
        // Every special token is an added token (withSpecialTokens).
        for (String s : allSpecial) {
            allSpecialIds.add(addedToken(s).id());
        }
        for (AddedToken t : addedTokens) {
            if (!allSpecial.contains(t.content())) {
                legacyAdded.add(t.content());
            }
        }
        for (String s : additionalSpecialTokens()) {
            if (addedToken(s).id() >= vocabulary.size()) {
                legacyAdded.add(s);
            }
        }
        for (AddedToken t : addedTokens()) {
            int pieceId = vocabulary.id(t.content());
            if (pieceId >= 0 && addedToken(t.content()) == t) {
                addedIdOfPiece.put(pieceId, t.id());
            }
        }
    }

    /** The id transformers gives a piece of the vocabulary model: an added token with that content wins. */
    protected int pieceId(int modelId) {
        return addedIdOfPiece.getOrDefault(modelId, modelId);
    }

    /** Whether a token string is one of {@link #allSpecialTokens()}. */
    protected boolean isSpecialToken(String token) {
        return allSpecial.contains(token);
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
                    String s = convertTokensToString(current);
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
            subTexts.add(convertTokensToString(current));
        }
        return cleanUp(String.join(" ", subTexts));
    }

    /** The class's {@code convert_tokens_to_string} for a run of tokens between the split-out added tokens. */
    protected abstract String convertTokensToString(List<String> tokens);

    @Override
    public boolean isSpecialId(int id) {
        return allSpecialIds.contains(id);
    }
}
