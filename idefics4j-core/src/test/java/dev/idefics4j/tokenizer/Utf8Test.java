package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Lossy UTF-8 decoding, one U+FFFD per maximal invalid subsequence: the expected strings are what Python's
 * {@code bytes.decode("utf-8", "replace")} and the Rust tokenizers' ByteLevel decoder both give.
 */
class Utf8Test {
    private static void decodes(String expected, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        assertEquals(expected, Utf8.decodeLossy(b));
    }

    @Test
    void validTextDecodesAsIs() {
        decodes("a\u20acb", 0x61, 0xe2, 0x82, 0xac, 0x62);
        decodes("\ud83d\ude00", 0xf0, 0x9f, 0x98, 0x80);
        decodes("\ufffd", 0xef, 0xbf, 0xbd);
        decodes("");
    }

    @Test
    void eachMaximalInvalidSubsequenceIsOneReplacementCharacter() {
        decodes("\ufffdA", 0xe2, 0x82, 0x41);
        decodes("\ufffd", 0xf0, 0x9f, 0x98);
        decodes("\ufffd", 0xc3);
        decodes("\ud83d\ude00\ufffd", 0xf0, 0x9f, 0x98, 0x80, 0x80);
        decodes("\ufffd\ufffdA", 0xff, 0xfe, 0x41);
        decodes("\ufffd\ufffd\ufffd", 0xf1, 0x80, 0x80, 0xe1, 0x80, 0xc2);
    }

    @Test
    void overlongFormsSurrogatesAndValuesPastU10FFFFAreInvalidAtTheirSecondByte() {
        decodes("\ufffd\ufffd", 0xc0, 0xaf);
        decodes("\ufffd\ufffd\ufffd", 0xe0, 0x80, 0xaf);
        decodes("\ufffd\ufffd\ufffd", 0xed, 0xa0, 0x80);
        decodes("\ufffd\ufffd\ufffd\ufffd", 0xf0, 0x80, 0x80, 0x80);
        decodes("\ufffd\ufffd\ufffd\ufffd", 0xf4, 0x90, 0x80, 0x80);
    }
}
