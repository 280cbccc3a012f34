package dev.idefics4j.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.Shapes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file: header (padded with spaces so the data section starts 64-byte aligned), then each
 * tensor's bytes filled in place through a memory mapping. Written to a temporary name and moved into place, so a
 * crash never leaves a truncated file under the final name.
 */
public final class SafeTensorsWriter {
    /** A tensor to write; {@code fill} writes exactly its bytes into the given segment. */
    public record Tensor(String name, DType dtype, long[] shape, Filler fill) {
        public long byteSize() {
            return Shapes.numel(shape) * dtype.byteSize();
        }
    }

    @FunctionalInterface
    public interface Filler {
        void fill(MemorySegment target);
    }

    private SafeTensorsWriter() {
    }

    public static void write(Path path, List<Tensor> tensors, Map<String, String> metadata) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            ArrayNode offsets = entry.putArray("data_offsets");
            offsets.add(offset);
            offsets.add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] headerBytes;
        try {
            headerBytes = json.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The data section starts at 8 + padded; make that a multiple of 64 so a tensor whose offset is one lies on a
        // cache line (vector kernels then read mapped weights aligned).
        int padded = (8 + headerBytes.length + 63) / 64 * 64 - 8;
        byte[] headerPadded = new byte[padded];
        java.util.Arrays.fill(headerPadded, (byte) ' ');
        System.arraycopy(headerBytes, 0, headerPadded, 0, headerBytes.length);
        long total = 8 + padded + offset;
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (Arena arena = Arena.ofShared();
             FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.READ,
                     StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
            file.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, padded);
            MemorySegment.copy(headerPadded, 0, file, ValueLayout.JAVA_BYTE, 8, padded);
            long pos = 8 + padded;
            for (Tensor t : tensors) {
                MemorySegment slice = file.asSlice(pos, t.byteSize());
                t.fill().fill(slice);
                // Written pages need not stay in this process: the shared mapping leaves them (dirty) in the page
                // cache, and force() below writes them out; a file of many GB would otherwise be resident at once.
                Checkpoint.releasePages(slice);
                pos += t.byteSize();
            }
            file.force();
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one worth reporting
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), (IOException) e);
        }
        try {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + tmp + " to " + path, e);
        }
    }

    /** A filler writing float values converted to {@code dtype}. */
    public static Filler floats(float[] values, DType dtype) {
        return target -> {
            for (int i = 0; i < values.length; i++) {
                switch (dtype) {
                    case F32 -> target.setAtIndex(SafeTensorsFile.FLOAT_LE, i, values[i]);
                    case BF16 -> target.setAtIndex(SafeTensorsFile.SHORT_LE, i,
                            dev.idefics4j.tensor.BFloat16.fromFloat(values[i]));
                    case F16 -> target.setAtIndex(SafeTensorsFile.SHORT_LE, i, Float.floatToFloat16(values[i]));
                    default -> throw new IllegalArgumentException("cannot write floats as " + dtype);
                }
            }
        };
    }

}
