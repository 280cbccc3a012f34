package dev.idefics4j.tokenizer;

/** The byte-fallback pieces {@code <0x00>} ... {@code <0xFF>} that stand for one UTF-8 byte each. */
final class BytePieces {
    private BytePieces() {
    }

    /** The piece for byte {@code b} (0..255), as SentencePiece and tokenizers spell it: {@code <0x0A>}. */
    static String format(int b) {
        return String.format("<0x%02X>", b);
    }

    /** The byte a piece spelled exactly as {@link #format} stands for, or -1 (SentencePiece's {@code PieceToByte}). */
    static int parseExact(String piece) {
        int b = parseHex(piece);
        return b >= 0 && piece.equals(format(b)) ? b : -1;
    }

    /** The byte of any {@code <0xhh>} token, hex digits in either case, or -1 (tokenizers' ByteFallback decoder). */
    static int parseHex(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(token.charAt(3), 16);
        int lo = Character.digit(token.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}
