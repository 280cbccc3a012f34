package dev.idefics4j.checkpoint;

import dev.idefics4j.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsFileTest {
    @TempDir
    Path dir;

    private Path raw(String header, int dataBytes, long claimedHeaderLength) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(claimedHeaderLength < 0 ? h.length : claimedHeaderLength).put(h);
        Path p = dir.resolve("t.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static String message(Path p) {
        return assertThrows(CheckpointException.class, () -> SafeTensorsFile.open(p).close()).getMessage();
    }

    @Test
    void roundTripsWrittenTensors() {
        Path p = dir.resolve("ok.safetensors");
        float[] values = {1.5f, -2.25f, 3f, 0.125f, 7f, -8f};
        SafeTensorsWriter.write(p, List.of(
                new SafeTensorsWriter.Tensor("a", DType.F32, new long[]{2, 3}, SafeTensorsWriter.floats(values, DType.F32)),
                new SafeTensorsWriter.Tensor("b", DType.BF16, new long[]{6}, SafeTensorsWriter.floats(values, DType.BF16)),
                new SafeTensorsWriter.Tensor("c", DType.F16, new long[]{3, 2}, SafeTensorsWriter.floats(values, DType.F16))),
                Map.of("format", "pt"));
        try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
            assertEquals("pt", f.metadata().get("format"));
            assertArrayEquals(values, f.readFloats("a"));
            assertArrayEquals(values, f.readFloats("b")); // exactly representable in bf16
            assertArrayEquals(values, f.readFloats("c"));
            assertArrayEquals(new long[]{2, 3}, f.info("a").shape());
        }
    }

    @Test
    void fileShorterThanLengthField() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[]{1, 2, 3});
        assertTrue(message(p).contains("too short"), message(p));
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        Path p = raw("{}", 0, 1_000_000);
        String m = message(p);
        assertTrue(m.contains("corrupt safetensors header") && m.contains("1000000"), m);
    }

    @Test
    void invalidHeaderJson() throws IOException {
        String m = message(raw("{\"a\": {\"dtype\": ", 0, -1));
        assertTrue(m.contains("invalid JSON"), m);
    }

    @Test
    void offsetsBeyondData() throws IOException {
        String m = message(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, -1));
        assertTrue(m.contains("'w'") && m.contains("out of range") && m.contains("truncated"), m);
    }

    @Test
    void offsetsThatDisagreeWithShape() throws IOException {
        String m = message(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16, -1));
        assertTrue(m.contains("needs 12 bytes"), m);
    }

    @Test
    void overlappingTensors() throws IOException {
        String m = message(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, -1));
        assertTrue(m.contains("overlap") && m.contains("'a'") && m.contains("'b'"), m);
    }

    @Test
    void unknownDtype() throws IOException {
        String m = message(raw("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, -1));
        assertTrue(m.contains("unsupported dtype Q4"), m);
    }

    @Test
    void duplicateKeys() throws IOException {
        String m = message(raw("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2, -1));
        assertTrue(m.contains("invalid JSON") && m.contains("Duplicate"), m);
    }

    @Test
    void missingFile() {
        String m = message(dir.resolve("nope.safetensors"));
        assertTrue(m.contains("file not found"), m);
    }
}
