package dev.idefics4j.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The tokenizer of a checkpoint, as transformers uses it: added and special tokens are split out of the text first,
 * each piece of text between them is tokenized by the vocabulary model, and BOS/EOS are added as the tokenizer's files
 * say. Obtain one with {@link Tokenizers#load}. Instances are immutable and thread-safe.
 */
public interface Tokenizer {
    /** Which file this tokenizer was built from; the flavours encode alike and decode by their own rules. */
    Flavor flavor();

    /** transformers' {@code tokenizer(text, add_special_tokens=...).input_ids}. */
    int[] encode(String text, boolean addSpecialTokens);

    /** {@link #encode(String, boolean)} with special tokens, as {@code tokenizer(text).input_ids}. */
    default int[] encode(String text) {
        return encode(text, true);
    }

    /** The token strings of {@code text} without special tokens added, as {@code tokenizer.tokenize(text)}. */
    default List<String> tokenize(String text) {
        return convertIdsToTokens(encode(text, false));
    }

    /** Adds BOS / EOS around a sequence of ids, as {@code build_inputs_with_special_tokens}. */
    int[] addSpecialTokens(int[] ids);

    /** How many ids {@link #addSpecialTokens} adds. */
    default int numSpecialTokensToAdd() {
        return addSpecialTokens(new int[0]).length;
    }

    /** transformers' {@code tokenizer(texts, padding=..., truncation=..., max_length=...)}. */
    default BatchEncoding encodeBatch(List<String> texts, EncodeOptions options) {
        return BatchEncoder.encode(this, texts, options);
    }

    /** transformers' {@code decode(ids, skip_special_tokens=...)}, by the rules of this tokenizer's flavour. */
    String decode(int[] ids, boolean skipSpecialTokens);

    default String decode(int[] ids) {
        return decode(ids, false);
    }

    default List<String> batchDecode(int[][] ids, boolean skipSpecialTokens) {
        List<String> out = new ArrayList<>(ids.length);
        for (int[] row : ids) {
            out.add(decode(row, skipSpecialTokens));
        }
        return out;
    }

    /** The token string of an id (an added token's content or a vocabulary piece). */
    String idToToken(int id);

    /** transformers' {@code convert_ids_to_tokens(ids)}. */
    default List<String> convertIdsToTokens(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(idToToken(id));
        }
        return out;
    }

    /** The id of a token string (added tokens first, then the vocabulary), or empty when there is none. */
    OptionalInt findTokenId(String token);

    /** transformers' {@code convert_tokens_to_ids(token)}: the unknown token's id for strings not in the vocabulary. */
    default int tokenToId(String token) {
        return findTokenId(token).orElse(unkTokenId());
    }

    /** All ids, added tokens included ({@code len(tokenizer)}): 32003 for the IDEFICS instruct tokenizer. */
    int vocabSize();

    /** The vocabulary model's size without added tokens ({@code tokenizer.vocab_size}): 32000 for LLaMA. */
    int baseVocabSize();

    /** The tokens added on top of the vocabulary model (special ones included), by id. */
    List<AddedToken> addedTokens();

    SpecialTokens specialTokens();

    /** The special token strings ({@code all_special_tokens}): bos, eos, unk, pad, then the additional ones, no repeats. */
    List<String> allSpecialTokens();

    /** Whether {@code decode(..., skipSpecialTokens=true)} drops this id. */
    boolean isSpecialId(int id);

    /** {@code additional_special_tokens}: {@code <fake_token_around_image>}, {@code <image>} (and, instruct only, {@code <end_of_utterance>}). */
    default List<String> additionalSpecialTokens() {
        return specialTokens().additional();
    }

    /** Id of the BOS token, -1 when none is defined; likewise the other special ids. */
    int bosTokenId();

    int eosTokenId();

    int unkTokenId();

    int padTokenId();

    /** {@code model_max_length}, {@link Integer#MAX_VALUE} when unbounded. */
    int modelMaxLength();

    Side paddingSide();

    Side truncationSide();
}
