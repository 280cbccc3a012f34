package dev.idefics4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.SafeTensorsFile;
import dev.idefics4j.image.PixelBatch;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the reference fixtures' JSON files and the safetensors they point into. */
public final class ReferenceCase {
    /** The reference files were written by Python's json, which spells -inf as -Infinity. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Map<Path, SafeTensorsFile> OPEN = new HashMap<>();

    private ReferenceCase() {
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cases of a reference file by id. */
    public static Map<String, JsonNode> cases(Path file) {
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        for (JsonNode c : json(file).get("cases")) {
            out.put(c.get("id").asText(), c);
        }
        return out;
    }

    /** The case {@code ref} ({@code "processor.json#one_image"}) of {@code model}'s reference folder. */
    public static JsonNode processorCase(String model, String ref) {
        String[] parts = ref.split("#");
        JsonNode c = cases(TestData.reference(model).resolve(parts[0])).get(parts[1]);
        if (c == null) {
            throw new IllegalArgumentException("no processor case " + ref + " for " + model);
        }
        return c;
    }

    /**
     * An Idefics2/Idefics3 processor case's images as the reference returned them: pixel_values
     * [batch, images, channels, height, width], pixel_attention_mask, and real_images counted per row.
     */
    public static PixelBatch pixelBatch(Path dir, JsonNode c) {
        int[] shape = shape(c.get("pixel_values"));
        long[] pixelMask = longs(dir, c.get("pixel_attention_mask"));
        byte[] bytes = new byte[pixelMask.length];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) pixelMask[i];
        }
        int[][] real = intMatrix(c.get("real_images"));
        int[] perRow = new int[real.length];
        for (int b = 0; b < real.length; b++) {
            for (int r : real[b]) {
                perRow[b] += r;
            }
        }
        return new PixelBatch(shape[0], shape[1], shape[3], shape[4], floats(dir, c.get("pixel_values")), bytes,
                perRow);
    }

    /** (model, case id) of every case of each model's reference file {@code file} ("forward.json", ...). */
    public static Stream<Arguments> caseIds(List<String> models, String file) {
        return models.stream().flatMap(model -> cases(TestData.reference(model).resolve(file)).keySet().stream()
                .map(id -> Arguments.of(model, id)));
    }

    /** The safetensors file a tensor reference ({@code {"file", "key", ...}}) points to, relative to {@code dir}. */
    public static synchronized SafeTensorsFile file(Path dir, JsonNode ref) {
        return OPEN.computeIfAbsent(dir.resolve(ref.get("file").asText()), SafeTensorsFile::open);
    }

    /** A float tensor, or an integer one converted to float. */
    public static float[] floats(Path dir, JsonNode ref) {
        String dtype = ref.path("dtype").asText();
        if (dtype.startsWith("I") || dtype.equals("BOOL") || dtype.equals("U8")) {
            long[] l = longs(dir, ref);
            float[] f = new float[l.length];
            for (int i = 0; i < l.length; i++) {
                f[i] = l[i];
            }
            return f;
        }
        return file(dir, ref).readFloats(ref.get("key").asText());
    }

    public static long[] longs(Path dir, JsonNode ref) {
        return file(dir, ref).readLongs(ref.get("key").asText());
    }

    public static int[] shape(JsonNode ref) {
        JsonNode s = ref.get("shape");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asInt();
        }
        return out;
    }

    public static int[][] intMatrix(JsonNode node) {
        int[][] out = new int[node.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = intArray(node.get(i));
        }
        return out;
    }

    public static int[] intArray(JsonNode node) {
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asInt();
        }
        return out;
    }

    public static int[][][] intCube(JsonNode node) {
        int[][][] out = new int[node.size()][][];
        for (int i = 0; i < out.length; i++) {
            out[i] = intMatrix(node.get(i));
        }
        return out;
    }

    public static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }
}
