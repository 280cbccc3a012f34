package dev.idefics4j.tokenizer;

import java.util.Map;

/** The token strings of a BPE model and their ids ({@code vocab} of tokenizer.json, or vocab.json). */
final class BpeVocabulary implements Vocabulary {
    private final Map<String, Integer> ids;
    private final String[] tokens;

    BpeVocabulary(Map<String, Integer> ids) {
        this.ids = ids;
        this.tokens = new String[ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        ids.forEach((token, id) -> tokens[id] = token);
    }

    Map<String, Integer> ids() {
        return ids;
    }

    @Override
    public int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    @Override
    public String token(int id) {
        String token = tokens[id];
        if (token == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
        }
        return token;
    }

    /** One past the largest id ({@code vocab_size} of a model without gaps in its ids). */
    @Override
    public int size() {
        return tokens.length;
    }
}
