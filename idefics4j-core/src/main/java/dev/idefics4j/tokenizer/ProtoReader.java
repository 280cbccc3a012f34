package dev.idefics4j.tokenizer;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Reads the protobuf wire format (the subset a SentencePiece {@code .model} uses) from a byte array; any malformed or
 * truncated field throws {@link MalformedException}.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    /** The input is not a well-formed protobuf message. */
    static final class MalformedException extends RuntimeException {
        MalformedException(String message) {
            super(message);
        }
    }

    private final byte[] buf;
    private int pos;
    private final int limit;
    private int lastWireType = -1;
    /** Shared by a message and its embedded messages: creating a decoder per string is costly. */
    private final CharsetDecoder utf8;

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    private ProtoReader(byte[] buf, int start, int limit, CharsetDecoder utf8) {
        this.buf = buf;
        this.pos = start;
        this.limit = limit;
        this.utf8 = utf8;
    }

    boolean hasMore() {
        return pos < limit;
    }

    /** Reads the next field key and returns its field number; {@link #wireType()} tells how the value is encoded. */
    int nextField() {
        long key = readVarint();
        int field = (int) (key >>> 3);
        lastWireType = (int) (key & 7);
        if (field <= 0) {
            throw new MalformedException("invalid field number " + field + " at byte " + pos);
        }
        return field;
    }

    int wireType() {
        return lastWireType;
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw new MalformedException("truncated varint at byte " + pos);
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new MalformedException("varint longer than 10 bytes at byte " + pos);
    }

    float readFloat() {
        expect(FIXED32);
        require(4);
        int bits = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    long readInt() {
        expect(VARINT);
        return readVarint();
    }

    boolean readBool() {
        return readInt() != 0;
    }

    String readString() {
        int length = readLength();
        try {
            String s = utf8.decode(ByteBuffer.wrap(buf, pos, length)).toString();
            pos += length;
            return s;
        } catch (CharacterCodingException e) {
            throw new MalformedException("string field is not valid UTF-8 at byte " + pos);
        }
    }

    /** A reader over an embedded message. */
    ProtoReader readMessage() {
        int length = readLength();
        ProtoReader sub = new ProtoReader(buf, pos, pos + length, utf8);
        pos += length;
        return sub;
    }

    /** Skips the value of the field just read by {@link #nextField()}. */
    void skip() {
        switch (lastWireType) {
            case VARINT -> readVarint();
            case FIXED64 -> advance(8);
            case LENGTH_DELIMITED -> advance(readLength());
            case FIXED32 -> advance(4);
            default -> throw new MalformedException("unsupported wire type " + lastWireType + " at byte " + pos);
        }
    }

    private int readLength() {
        expect(LENGTH_DELIMITED);
        long length = readVarint();
        if (length < 0 || length > limit - pos) {
            throw new MalformedException("field length " + length + " runs past the end of its message at byte " + pos);
        }
        return (int) length;
    }

    private void advance(int n) {
        require(n);
        pos += n;
    }

    private void require(int n) {
        if (limit - pos < n) {
            throw new MalformedException("truncated field at byte " + pos);
        }
    }

    private void expect(int wireType) {
        if (lastWireType != wireType) {
            throw new MalformedException("wire type " + lastWireType + " where " + wireType + " was expected at byte " + pos);
        }
    }
}
