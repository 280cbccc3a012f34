package dev.idefics4j.checkpoint;

import dev.idefics4j.testing.FuzzTarget;
import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.ParserFuzzTest;
import dev.idefics4j.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

/** Mutated safetensors files (header length, header JSON, data) open and read or fail with a CheckpointException. */
class SafeTensorsFuzzTest {
    @TempDir
    static Path dir;

    private static final FuzzTarget TARGET = FuzzTarget.of("safetensors", bytes -> {
        Path file = dir.resolve("model.safetensors");
        Files.write(file, bytes);
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            st.metadata();
            for (String name : st.tensors().keySet()) {
                st.segment(name);
                if (st.info(name).byteSize() <= 1 << 16) {
                    st.readBytes(name);
                }
            }
        }
    }, CheckpointException.class);

    /** A real shard's header followed by the first bytes of its data, and a small hand-made file. */
    static List<byte[]> seeds() throws IOException {
        byte[] shard = Files.readAllBytes(TestData.model("tiny-idefics3").resolve("model-00002-of-00002.safetensors"));
        long headerLength = ByteBuffer.wrap(shard).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] head = Arrays.copyOf(shard, (int) Math.min(shard.length, 8 + headerLength + 4096));
        byte[] json = MutationFuzzer.utf8("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[16,24]},"
                + "\"c\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[24,25]}}");
        ByteBuffer small = ByteBuffer.allocate(8 + json.length + 25).order(ByteOrder.LITTLE_ENDIAN);
        small.putLong(json.length).put(json);
        return List.of(head, small.array());
    }

    @MethodSource("seeds")
    @ParserFuzzTest
    void safetensors(byte[] input) throws Exception {
        TARGET.accept(input);
    }

    @Test
    void mutatedFilesOpenOrFailWithACheckpointException() throws IOException {
        MutationFuzzer.run(TARGET, seeds(), 3000);
    }
}
