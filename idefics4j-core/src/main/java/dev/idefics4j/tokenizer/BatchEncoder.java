package dev.idefics4j.tokenizer;

import java.util.Arrays;
import java.util.List;

/** Truncation and padding of a batch, as transformers' {@code prepare_for_model} and {@code pad} do them. */
final class BatchEncoder {
    private BatchEncoder() {
    }

    static BatchEncoding encode(Tokenizer tokenizer, List<String> texts, EncodeOptions options) {
        int limit = options.maxLength() == EncodeOptions.UNSET ? tokenizer.modelMaxLength() : options.maxLength();
        int[][] rows = new int[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            int[] ids = tokenizer.encode(texts.get(i), false);
            if (options.truncation()) {
                ids = truncate(tokenizer, ids, limit, options.addSpecialTokens());
            }
            rows[i] = options.addSpecialTokens() ? tokenizer.addSpecialTokens(ids) : ids;
        }
        int target = switch (options.padding()) {
            case NONE -> -1;
            case LONGEST -> Arrays.stream(rows).mapToInt(r -> r.length).max().orElse(0);
            // transformers pads nothing when max_length is neither given nor bounded by model_max_length.
            case MAX_LENGTH -> limit == Integer.MAX_VALUE ? -1 : limit;
        };
        return pad(tokenizer, rows, target);
    }

    /** Removes text tokens so that the row, special tokens included, fits in {@code limit}. */
    private static int[] truncate(Tokenizer tokenizer, int[] ids, int limit, boolean withSpecials) {
        int room = limit - (withSpecials ? tokenizer.numSpecialTokensToAdd() : 0);
        if (room < 0) {
            throw new IllegalArgumentException("max_length " + limit + " leaves no room next to the "
                    + tokenizer.numSpecialTokensToAdd() + " special tokens");
        }
        if (ids.length <= room) {
            return ids;
        }
        return tokenizer.truncationSide() == Side.RIGHT
                ? Arrays.copyOfRange(ids, 0, room)
                : Arrays.copyOfRange(ids, ids.length - room, ids.length);
    }

    private static BatchEncoding pad(Tokenizer tokenizer, int[][] rows, int target) {
        int[][] ids = new int[rows.length][];
        int[][] mask = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            int[] row = rows[i];
            int missing = Math.max(0, target - row.length);
            if (missing == 0) {
                ids[i] = row;
                mask[i] = ones(row.length);
                continue;
            }
            int padId = tokenizer.padTokenId();
            if (padId < 0) {
                throw new IllegalStateException("asked to pad, but the tokenizer has no pad token");
            }
            int offset = tokenizer.paddingSide() == Side.LEFT ? missing : 0;
            int[] padded = new int[target];
            int[] m = new int[target];
            Arrays.fill(padded, padId);
            System.arraycopy(row, 0, padded, offset, row.length);
            Arrays.fill(m, offset, offset + row.length, 1);
            ids[i] = padded;
            mask[i] = m;
        }
        return new BatchEncoding(ids, mask);
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }
}
