package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SentencePiece rules that the LLaMA model does not exercise (UNUSED and USER_DEFINED pieces, no byte fallback), on
 * small models written here; the expected pieces follow from bpe_model.cc's rules as commented.
 */
class SentencePieceModelTest {
    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final int UNUSED = 5;

    /** Writes a ModelProto: the pieces, a BPE trainer_spec and an identity normalizer_spec. */
    private static final class ModelWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        ModelWriter piece(String text, float score, int type) {
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            bytesField(p, 1, text.getBytes(StandardCharsets.UTF_8));
            varint(p, (2 << 3) | 5);
            int bits = Float.floatToIntBits(score);
            for (int i = 0; i < 4; i++) {
                p.write(bits >>> (8 * i));
            }
            varintField(p, 3, type);
            bytesField(out, 1, p.toByteArray());
            return this;
        }

        byte[] build(int modelType) {
            ByteArrayOutputStream trainer = new ByteArrayOutputStream();
            varintField(trainer, 3, modelType);
            ByteArrayOutputStream normalizer = new ByteArrayOutputStream();
            bytesField(normalizer, 1, "identity".getBytes(StandardCharsets.UTF_8));
            varintField(normalizer, 4, 0); // remove_extra_whitespaces off
            bytesField(out, 2, trainer.toByteArray());
            bytesField(out, 3, normalizer.toByteArray());
            return out.toByteArray();
        }

        private static void varint(ByteArrayOutputStream o, long v) {
            while ((v & ~0x7fL) != 0) {
                o.write((int) (v & 0x7f) | 0x80);
                v >>>= 7;
            }
            o.write((int) v);
        }

        private static void varintField(ByteArrayOutputStream o, int field, long v) {
            varint(o, (long) field << 3);
            varint(o, v);
        }

        private static void bytesField(ByteArrayOutputStream o, int field, byte[] b) {
            varint(o, ((long) field << 3) | 2);
            varint(o, b.length);
            o.writeBytes(b);
        }
    }

    private static ModelWriter base() {
        return new ModelWriter().piece("<unk>", 0, UNKNOWN).piece("<s>", 0, CONTROL).piece("</s>", 0, CONTROL)
                .piece("▁", -1, NORMAL).piece("a", -1, NORMAL).piece("b", -1, NORMAL);
    }

    private static int[] encode(SentencePieceModel model, String text) {
        IntArrayBuilder out = new IntArrayBuilder(8);
        new SentencePieceEncoder(model).encode(text, out);
        return out.toArray();
    }

    @Test
    void unusedPieceIsMergedThroughButSplitBackOnOutput() {
        // ids: <unk> 0, <s> 1, </s> 2, ▁ 3, a 4, b 5, ab 6 (UNUSED, best score), ▁ab 7
        SentencePieceModel model = SentencePieceModel.parse(base().piece("ab", 5, UNUSED).piece("▁ab", 1, NORMAL).build(2));
        // "▁ab" is reachable only through the unused "ab": merged as ▁ + ab, kept whole.
        assertArrayEquals(new int[] {7}, encode(model, "ab"));
        // "abab" -> ▁ab + ab, and the unused "ab" is given back as a + b.
        assertArrayEquals(new int[] {7, 4, 5}, encode(model, "abab"));
    }

    @Test
    void userDefinedSymbolIsNeverMergedWithItsNeighbours() {
        // ids: ... 6 <x> (USER_DEFINED), 7 ▁a, 8 <x>b (a better merge, but <x> is frozen)
        SentencePieceModel model = SentencePieceModel.parse(
                base().piece("<x>", 0, USER_DEFINED).piece("▁a", 2, NORMAL).piece("<x>b", 9, NORMAL).build(2));
        assertArrayEquals(new int[] {7, 6, 5}, encode(model, "a<x>b"));
    }

    @Test
    void unknownCharacterWithoutByteFallbackIsTheUnknownPiece() {
        SentencePieceModel model = SentencePieceModel.parse(base().build(2));
        assertArrayEquals(new int[] {3, 4, 0, 5}, encode(model, "a€b"));
        SentencePieceDecoder decoder = new SentencePieceDecoder(model);
        // <unk> prints the unk surface; text that is no piece prints as itself, its U+2581 untouched.
        assertEquals("a \u2047 b", decoder.decode(List.of("▁", "a", "<unk>", "b")));
        assertEquals("a€b", decoder.decode(List.of("▁", "a", "€", "b")));
        assertEquals("▁x", decoder.decode(List.of("▁x")));
    }

    @Test
    void rejectsModelsThatAreNotBpe() {
        byte[] unigram = base().build(1);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> SentencePieceModel.parse(unigram));
        assertTrue(e.getMessage().contains("model_type 1"), e.getMessage());
    }
}
