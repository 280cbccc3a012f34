package dev.idefics4j.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.idefics4j.tensor.BFloat16;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.Shapes;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header, then raw little-endian
 * data. Tensors are views into the mapping; nothing is copied to the heap unless asked for.
 */
public final class SafeTensorsFile implements AutoCloseable {
    /** A header larger than this is corrupt rather than real (safetensors itself caps it at 100 MB). */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble DOUBLE_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path path, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps {@code path} and validates its header; the mapping lives until {@link #close()}. */
    public static SafeTensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException(path + ": not a safetensors file: " + size
                        + " bytes, too short for the 8-byte header length");
            }
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = whole.get(LONG_LE, 0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw new CheckpointException(path + ": corrupt safetensors header: its length field says "
                        + Long.toUnsignedString(headerLength) + " bytes but the file has " + (size - 8)
                        + " bytes after the length field");
            }
            byte[] headerBytes = whole.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = whole.asSlice(8 + headerLength);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, headerBytes, data.byteSize(), metadata);
            return new SafeTensorsFile(path, arena, data, tensors, metadata);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new CheckpointException(path + ": file not found", e);
        } catch (IOException e) {
            arena.close();
            throw new CheckpointException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, byte[] headerBytes, long dataSize,
                                                       Map<String, String> metadata) {
        JsonNode header;
        try {
            header = JSON.readTree(headerBytes);
        } catch (IOException e) {
            throw new CheckpointException(path + ": corrupt safetensors header: invalid JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(path + ": corrupt safetensors header: expected a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode entry = field.getValue();
            if (name.equals("__metadata__")) {
                entry.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(name, parseEntry(path, name, entry, dataSize));
        }
        checkNoOverlap(path, tensors);
        return Collections.unmodifiableMap(tensors);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode entry, long dataSize) {
        String where = path + ": tensor '" + name + "'";
        if (!entry.isObject() || !entry.path("dtype").isTextual() || !entry.path("shape").isArray()
                || !entry.path("data_offsets").isArray() || entry.path("data_offsets").size() != 2) {
            throw new CheckpointException(where + ": header entry needs dtype, shape and two data_offsets");
        }
        DType dtype = DType.fromSafetensorsName(entry.get("dtype").asText());
        if (dtype == null) {
            throw new CheckpointException(where + ": unsupported dtype " + entry.get("dtype").asText());
        }
        long[] shape = new long[entry.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = entry.get("shape").get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new CheckpointException(where + ": invalid shape " + entry.get("shape"));
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = entry.get("data_offsets");
        if (!offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new CheckpointException(where + ": invalid data_offsets " + offsets);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end
                    + "] out of range: the data section has " + dataSize + " bytes (truncated file?)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(Shapes.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + ": shape " + Shapes.format(shape) + " is too large");
        }
        if (end - begin != expected) {
            throw new CheckpointException(where + ": " + dtype + Shapes.format(shape) + " needs " + expected
                    + " bytes but data_offsets give " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path path, Map<String, TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new CheckpointException(path + ": tensors '" + prev.name() + "' and '" + cur.name()
                        + "' overlap in the data section");
            }
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException(path + ": no tensor named '" + name + "'");
        }
        return info;
    }

    /** The tensor's bytes, mapped (no copy). */
    public MemorySegment segment(String name) {
        TensorInfo info = info(name);
        return data.asSlice(info.begin(), info.byteSize());
    }

    /** A heap copy widened to float32 (for small tensors and reference data). */
    public float[] readFloats(String name) {
        TensorInfo info = info(name);
        return toFloats(segment(name), info.dtype(), Math.toIntExact(info.numel()), path + ": " + name);
    }

    /** A heap copy of an integer or bool tensor as longs. */
    public long[] readLongs(String name) {
        TensorInfo info = info(name);
        MemorySegment s = segment(name);
        int n = Math.toIntExact(info.numel());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (info.dtype()) {
                case I64 -> s.getAtIndex(LONG_LE, i);
                case I32 -> s.getAtIndex(INT_LE, i);
                case I16 -> s.getAtIndex(SHORT_LE, i);
                case I8 -> s.get(ValueLayout.JAVA_BYTE, i);
                case U8, BOOL -> s.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
                default -> throw new CheckpointException(path + ": " + name + " is " + info.dtype()
                        + ", not an integer tensor");
            };
        }
        return out;
    }

    /** A heap copy of a U8/I8/BOOL tensor. */
    public byte[] readBytes(String name) {
        TensorInfo info = info(name);
        if (info.dtype().byteSize() != 1) {
            throw new CheckpointException(path + ": " + name + " is " + info.dtype() + ", not a byte tensor");
        }
        return segment(name).toArray(ValueLayout.JAVA_BYTE);
    }

    static float[] toFloats(MemorySegment s, DType dtype, int n, String what) {
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(s, FLOAT_LE, 0, out, 0, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = BFloat16.toFloat(s.getAtIndex(SHORT_LE, i));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(s.getAtIndex(SHORT_LE, i));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) s.getAtIndex(DOUBLE_LE, i);
                }
            }
            default -> throw new CheckpointException(what + " is " + dtype + ", not a floating-point tensor");
        }
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
