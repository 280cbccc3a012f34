package dev.idefics4j.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A SentencePiece {@code tokenizer.model} ({@code ModelProto}): the pieces with their scores and types, and the
 * normalizer and trainer options that encoding and decoding depend on. Only what LLaMA uses is supported (BPE, the
 * identity normalizer, no whitespace removal); anything else is rejected when loading rather than tokenized wrongly.
 */
final class SentencePieceModel implements Vocabulary {
    // SentencePiece.Type values of sentencepiece_model.proto.
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;
    private static final int MODEL_TYPE_UNIGRAM = 1;
    private static final int MODEL_TYPE_BPE = 2;

    private final String[] pieces;
    private final float[] scores;
    private final byte[] types;
    /** NORMAL, USER_DEFINED and UNUSED pieces: the ones BPE may produce (SentencePiece's {@code pieces_}). */
    private final Map<String, Integer> mergeable;
    /** CONTROL, UNKNOWN and BYTE pieces (SentencePiece's {@code reserved_id_map_}). */
    private final Map<String, Integer> reserved;
    private final List<String> userDefined;
    private final int unkId;
    private final int[] byteIds;
    private final boolean byteFallback;
    private final String unkSurface;
    private final boolean addDummyPrefix;
    private final boolean escapeWhitespaces;

    private SentencePieceModel(Builder b) {
        int n = b.pieces.size();
        pieces = b.pieces.toArray(new String[0]);
        scores = new float[n];
        types = new byte[n];
        mergeable = HashMap.newHashMap(n);
        reserved = new HashMap<>();
        userDefined = new ArrayList<>();
        byteIds = new int[256];
        java.util.Arrays.fill(byteIds, -1);
        int unk = -1;
        for (int i = 0; i < n; i++) {
            scores[i] = b.scores.get(i);
            int type = b.types.get(i);
            types[i] = (byte) type;
            boolean isMergeable = type == NORMAL || type == USER_DEFINED || type == UNUSED;
            if ((isMergeable ? mergeable : reserved).putIfAbsent(pieces[i], i) != null) {
                throw new ProtoReader.MalformedException("piece \"" + pieces[i] + "\" appears twice");
            }
            if (type == USER_DEFINED) {
                userDefined.add(pieces[i]);
            } else if (type == UNKNOWN) {
                if (unk >= 0) {
                    throw new ProtoReader.MalformedException("more than one unknown piece");
                }
                unk = i;
            } else if (type == BYTE) {
                int value = BytePieces.parseExact(pieces[i]);
                if (value < 0) {
                    throw new ProtoReader.MalformedException("byte piece \"" + pieces[i] + "\" is not of the form <0xNN>");
                }
                byteIds[value] = i;
            }
        }
        if (unk < 0) {
            throw new ProtoReader.MalformedException("no unknown piece (type UNKNOWN) among the " + n + " pieces");
        }
        unkId = unk;
        byteFallback = b.byteFallback;
        if (byteFallback) {
            for (int v = 0; v < 256; v++) {
                if (byteIds[v] < 0) {
                    throw new ProtoReader.MalformedException("byte_fallback is on but piece " + BytePieces.format(v) + " is missing");
                }
            }
        }
        unkSurface = b.unkSurface;
        addDummyPrefix = b.addDummyPrefix;
        escapeWhitespaces = b.escapeWhitespaces;
    }

    static SentencePieceModel load(Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file + ": SentencePiece model file not found");
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read SentencePiece model: " + e.getMessage(), e);
        }
        try {
            return parse(data);
        } catch (ProtoReader.MalformedException e) {
            throw new TokenizerException(file + ": not a valid SentencePiece model (corrupt or truncated?): " + e.getMessage(), e);
        } catch (UnsupportedOperationException e) {
            throw new TokenizerException(file + ": unsupported SentencePiece model: " + e.getMessage(), e);
        }
    }

    static SentencePieceModel parse(byte[] data) {
        Builder b = new Builder();
        boolean hasTrainerSpec = false;
        boolean hasNormalizerSpec = false;
        ProtoReader r = new ProtoReader(data);
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> b.readPiece(r.readMessage());
                case 2 -> {
                    b.readTrainerSpec(r.readMessage());
                    hasTrainerSpec = true;
                }
                case 3 -> {
                    b.readNormalizerSpec(r.readMessage(), "normalizer_spec");
                    hasNormalizerSpec = true;
                }
                case 5 -> b.readNormalizerSpec(r.readMessage(), "denormalizer_spec");
                default -> r.skip();
            }
        }
        if (b.pieces.isEmpty()) {
            throw new ProtoReader.MalformedException("no pieces");
        }
        if (!hasTrainerSpec || !hasNormalizerSpec) {
            throw new ProtoReader.MalformedException("missing " + (hasTrainerSpec ? "normalizer_spec" : "trainer_spec"));
        }
        if (b.modelType != MODEL_TYPE_BPE) {
            throw new UnsupportedOperationException("model_type " + b.modelType + " (only BPE, 2, is supported)");
        }
        return new SentencePieceModel(b);
    }

    @Override
    public int size() {
        return pieces.length;
    }

    /** The id of exactly this piece, or -1 ({@link #pieceToId} gives the unknown id instead). */
    @Override
    public int id(String piece) {
        int id = pieceToId(piece);
        return pieces[id].equals(piece) ? id : -1;
    }

    @Override
    public String token(int id) {
        return pieces[id];
    }

    String idToPiece(int id) {
        return pieces[id];
    }

    float score(int id) {
        return scores[id];
    }

    /** SentencePiece's {@code PieceToId}: reserved pieces first, then the others, else the unknown id. */
    int pieceToId(String piece) {
        Integer id = reserved.get(piece);
        if (id == null) {
            id = mergeable.get(piece);
        }
        return id == null ? unkId : id;
    }

    /** The id of a piece BPE may produce (NORMAL, USER_DEFINED, UNUSED), or -1. */
    int mergeableId(String piece) {
        Integer id = mergeable.get(piece);
        return id == null ? -1 : id;
    }

    boolean isByte(int id) {
        return types[id] == BYTE;
    }

    boolean isControl(int id) {
        return types[id] == CONTROL;
    }

    boolean isUnknown(int id) {
        return types[id] == UNKNOWN;
    }

    boolean isUnused(int id) {
        return types[id] == UNUSED;
    }

    /** The byte a BYTE piece stands for. */
    int byteValue(int id) {
        return BytePieces.parseExact(pieces[id]);
    }

    /** The id of the piece for byte {@code b}, or -1 when the model has none. */
    int byteId(int b) {
        return byteIds[b];
    }

    int unkId() {
        return unkId;
    }

    boolean byteFallback() {
        return byteFallback;
    }

    /** What decoding prints for the unknown piece ({@code " ⁇ "} by default). */
    String unkSurface() {
        return unkSurface;
    }

    boolean addDummyPrefix() {
        return addDummyPrefix;
    }

    boolean escapeWhitespaces() {
        return escapeWhitespaces;
    }

    List<String> userDefinedSymbols() {
        return userDefined;
    }

    /** Collects the fields while the message is read. */
    private static final class Builder {
        final List<String> pieces = new ArrayList<>();
        final List<Float> scores = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        int modelType = MODEL_TYPE_UNIGRAM;
        boolean byteFallback;
        String unkSurface = " \u2047 ";
        boolean addDummyPrefix = true;
        boolean escapeWhitespaces = true;

        void readPiece(ProtoReader r) {
            String piece = null;
            float score = 0f;
            int type = NORMAL;
            while (r.hasMore()) {
                switch (r.nextField()) {
                    case 1 -> piece = r.readString();
                    case 2 -> score = r.readFloat();
                    case 3 -> type = (int) r.readInt();
                    default -> r.skip();
                }
            }
            if (piece == null || piece.isEmpty()) {
                throw new ProtoReader.MalformedException("piece " + pieces.size() + " has no text");
            }
            if (type < NORMAL || type > BYTE) {
                throw new ProtoReader.MalformedException("piece " + pieces.size() + " has unknown type " + type);
            }
            pieces.add(piece);
            scores.add(score);
            types.add(type);
        }

        void readTrainerSpec(ProtoReader r) {
            while (r.hasMore()) {
                switch (r.nextField()) {
                    case 3 -> modelType = (int) r.readInt();
                    case 24 -> {
                        if (r.readBool()) {
                            throw new UnsupportedOperationException("treat_whitespace_as_suffix");
                        }
                    }
                    case 35 -> byteFallback = r.readBool();
                    case 44 -> unkSurface = r.readString();
                    default -> r.skip();
                }
            }
        }

        /** Only the identity normalization LLaMA uses is supported: no character map, no whitespace removal. */
        void readNormalizerSpec(ProtoReader r, String name) {
            boolean removeExtraWhitespaces = true;
            while (r.hasMore()) {
                switch (r.nextField()) {
                    case 2 -> {
                        if (r.readMessage().hasMore()) {
                            throw new UnsupportedOperationException(name + " with a precompiled_charsmap");
                        }
                    }
                    case 3 -> {
                        boolean v = r.readBool();
                        if (name.equals("normalizer_spec")) {
                            addDummyPrefix = v;
                        }
                    }
                    case 4 -> removeExtraWhitespaces = r.readBool();
                    case 5 -> {
                        boolean v = r.readBool();
                        if (name.equals("normalizer_spec")) {
                            escapeWhitespaces = v;
                        }
                    }
                    default -> r.skip();
                }
            }
            if (removeExtraWhitespaces && name.equals("normalizer_spec")) {
                throw new UnsupportedOperationException(name + " with remove_extra_whitespaces");
            }
        }
    }
}
