package dev.idefics4j.tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * SentencePiece's {@code DecodePieces}: pieces are looked up by their text, byte pieces are collected and turned into
 * UTF-8 characters (U+FFFD for each invalid byte), control pieces vanish, U+2581 becomes a space, and the first
 * piece's leading U+2581 (the dummy prefix) is dropped.
 */
final class SentencePieceDecoder {
    private static final String SPACE_SYMBOL = String.valueOf(SentencePieceEncoder.SPACE_SYMBOL);

    private final SentencePieceModel model;

    SentencePieceDecoder(SentencePieceModel model) {
        this.model = model;
    }

    String decode(List<String> pieces) {
        StringBuilder text = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // Whether a leading U+2581 may still be consumed as the dummy prefix; SentencePiece gives up on it once
        // something was written or a piece already consumed one.
        boolean isBosWs = true;
        boolean bosWsSeen = false;
        for (String piece : pieces) {
            int id = model.pieceToId(piece);
            if (model.isByte(id)) {
                bytes.write(model.byteValue(id));
                continue;
            }
            flushBytes(bytes, text);
            if (bosWsSeen || !text.isEmpty()) {
                isBosWs = false;
            }
            bosWsSeen = false;
            if (model.isControl(id)) {
                continue;
            }
            if (model.isUnknown(id)) {
                // Text that is not a piece decodes as itself; only the <unk> piece itself prints the unk surface.
                text.append(model.idToPiece(id).equals(piece) ? model.unkSurface() : piece);
                continue;
            }
            String surface = piece;
            if (isBosWs && model.addDummyPrefix() && surface.startsWith(SPACE_SYMBOL)) {
                surface = surface.substring(1);
                bosWsSeen = true;
            }
            text.append(surface.replace(SentencePieceEncoder.SPACE_SYMBOL, ' '));
        }
        flushBytes(bytes, text);
        return text.toString();
    }

    /** Appends the collected bytes as UTF-8, one U+FFFD per byte that does not start a valid character. */
    private static void flushBytes(ByteArrayOutputStream pending, StringBuilder text) {
        if (pending.size() == 0) {
            return;
        }
        byte[] b = pending.toByteArray();
        pending.reset();
        int i = 0;
        while (i < b.length) {
            int consumed = Utf8.validSequenceLength(b, i);
            if (consumed == 0) {
                text.append('\uFFFD');
                i++;
            } else {
                text.appendCodePoint(Utf8.decode(b, i, consumed));
                i += consumed;
            }
        }
    }
}
