package dev.idefics4j.tensor.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.PythonJson;
import dev.idefics4j.checkpoint.SafeTensorsWriter;
import dev.idefics4j.checkpoint.TensorInfo;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.Shapes;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state-dict layout in which bitsandbytes (through transformers' save_pretrained) stores quantized linear
 * layers, so a checkpoint is quantized once and our files read like theirs. For a weight {@code <m>.weight}:
 * <ul>
 * <li>4-bit ({@code Linear4bit._save_to_state_dict} / {@code QuantState.as_dict(packed=True)}):
 * {@code <m>.weight} U8 [ceil(n/2), 1] packed codes; {@code .weight.absmax} F32 [blocks] (U8 when nested);
 * {@code .weight.quant_map} F32 [16]; nested: {@code .weight.nested_absmax} F32, {@code .weight.nested_quant_map}
 * F32 [256]; and {@code .weight.quant_state.bitsandbytes__<fp4|nf4>}, U8 bytes of a JSON object with quant_type,
 * blocksize, dtype, shape and, nested, nested_blocksize, nested_dtype, nested_offset
 * ({@code pack_dict_to_tensor}).</li>
 * <li>8-bit ({@code Linear8bitLt._save_to_state_dict}): {@code <m>.weight} I8 [out, in], {@code <m>.SCB} F32 [out],
 * {@code <m>.weight_format} U8 scalar 0 ("row").</li>
 * </ul>
 * A linear weight stored plainly (a module bitsandbytes was told to skip) loads as it is.
 */
final class BnbLayout implements Checkpoint.LinearLoader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUANT_STATE = ".quant_state.bitsandbytes__";

    /** The tensors that store {@code w} under the linear weight name {@code name} ({@code <m>.weight}). */
    static List<SafeTensorsWriter.Tensor> tensors(String name, MatrixWeight w) {
        List<SafeTensorsWriter.Tensor> out = new ArrayList<>();
        switch (w) {
            case FourBitWeight f -> {
                long numel = (long) f.rows() * f.cols();
                out.add(copy(name, DType.U8, new long[]{(numel + 1) / 2, 1}, f.packed()));
                BlockScales scales = f.scales();
                if (scales instanceof NestedAbsmaxScales nested) {
                    out.add(copy(name + ".absmax", DType.U8, new long[]{scales.blocks()}, nested.absmax()));
                    out.add(copy(name + ".nested_absmax", DType.F32,
                            new long[]{nested.nestedAbsmax().byteSize() / 4}, nested.nestedAbsmax()));
                    out.add(floats(name + ".nested_quant_map", nested.map()));
                } else {
                    out.add(copy(name + ".absmax", DType.F32, new long[]{scales.blocks()}, scales.absmax()));
                }
                out.add(floats(name + ".quant_map", f.table()));
                byte[] state = quantState(f);
                out.add(new SafeTensorsWriter.Tensor(name + QUANT_STATE + f.code().bnbName(), DType.U8,
                        new long[]{state.length}, t -> MemorySegment.copy(state, 0, t, ValueLayout.JAVA_BYTE, 0,
                        state.length)));
            }
            case Int8Weight q -> {
                String module = module(name);
                out.add(copy(name, DType.I8, new long[]{q.rows(), q.cols()}, q.values()));
                out.add(copy(module + ".SCB", DType.F32, new long[]{q.rows()}, q.scb()));
                out.add(new SafeTensorsWriter.Tensor(module + ".weight_format", DType.U8, new long[0],
                        t -> t.set(ValueLayout.JAVA_BYTE, 0, (byte) 0)));
            }
            default -> throw new IllegalArgumentException(name + ": not a quantized weight ("
                    + w.getClass().getSimpleName() + ")");
        }
        return out;
    }

    private static SafeTensorsWriter.Tensor copy(String name, DType dtype, long[] shape, MemorySegment data) {
        return new SafeTensorsWriter.Tensor(name, dtype, shape, t -> t.copyFrom(data));
    }

    private static SafeTensorsWriter.Tensor floats(String name, float[] values) {
        return new SafeTensorsWriter.Tensor(name, DType.F32, new long[]{values.length},
                SafeTensorsWriter.floats(values, DType.F32));
    }

    /** The quant state as bitsandbytes packs it: {@code json.dumps} of its non-tensor fields, in its order. */
    private static byte[] quantState(FourBitWeight f) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("quant_type", f.code().bnbName());
        s.put("blocksize", f.blocksize());
        s.put("dtype", torchDtype(f.sourceDtype()));
        s.put("shape", List.of(f.rows(), f.cols()));
        if (f.scales() instanceof NestedAbsmaxScales nested) {
            s.put("nested_blocksize", nested.nestedBlocksize());
            s.put("nested_dtype", "float32");
            s.put("nested_offset", nested.offset());
        }
        return PythonJson.dumps(s).getBytes(StandardCharsets.UTF_8);
    }

    private static String module(String weightName) {
        if (!weightName.endsWith(".weight")) {
            throw new IllegalArgumentException("a linear weight name ends in .weight: " + weightName);
        }
        return weightName.substring(0, weightName.length() - ".weight".length());
    }

    @Override
    public MatrixWeight load(Checkpoint ckpt, String name, long... shape) {
        for (FourBitCode code : FourBitCode.values()) {
            if (ckpt.contains(name + QUANT_STATE + code.bnbName())) {
                return loadFourBit(ckpt, name, shape, code);
            }
        }
        String module = module(name);
        if (ckpt.contains(module + ".SCB")) {
            return loadInt8(ckpt, name, module, shape);
        }
        return ckpt.weight(name, shape);
    }

    private static FourBitWeight loadFourBit(Checkpoint ckpt, String name, long[] shape, FourBitCode code) {
        String stateName = name + QUANT_STATE + code.bnbName();
        JsonNode state;
        try {
            state = JSON.readTree(ckpt.fileOf(stateName).readBytes(stateName));
        } catch (IOException e) {
            throw new CheckpointException(ckpt.dir() + ": " + stateName + " is not a JSON quant state: "
                    + e.getMessage(), e);
        }
        ckpt.markUsed(stateName);
        long[] stored = new long[state.path("shape").size()];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = state.path("shape").get(i).asLong();
        }
        if (!Arrays.equals(stored, shape)) {
            throw new CheckpointException(ckpt.dir() + ": " + name + " was quantized with shape "
                    + Shapes.format(stored) + " but the config implies " + Shapes.format(shape));
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        long numel = (long) rows * cols;
        int blocksize = state.path("blocksize").asInt(Quantization.DEFAULT_BLOCKSIZE);
        long blocks = (numel + blocksize - 1) / blocksize;
        MemorySegment packed = OffHeap.aligned(raw(ckpt, name, DType.U8, (numel + 1) / 2));
        float[] table = floats(ckpt, name + ".quant_map", 16);
        BlockScales scales;
        if (ckpt.contains(name + ".nested_absmax")) {
            int nestedBlocksize = state.path("nested_blocksize").asInt(NestedAbsmaxScales.NESTED_BLOCKSIZE);
            MemorySegment codes = raw(ckpt, name + ".absmax", DType.U8, blocks);
            MemorySegment nestedAbsmax = raw(ckpt, name + ".nested_absmax", DType.F32,
                    (blocks + nestedBlocksize - 1) / nestedBlocksize);
            scales = new NestedAbsmaxScales(codes, nestedAbsmax, floats(ckpt, name + ".nested_quant_map", 256),
                    (float) state.path("nested_offset").asDouble(), nestedBlocksize);
        } else {
            scales = new AbsmaxScales(raw(ckpt, name + ".absmax", DType.F32, blocks));
        }
        return new FourBitWeight(name, rows, cols, code, table, blocksize, packed, scales,
                dtypeOf(state.path("dtype").asText("bfloat16")));
    }

    private static Int8Weight loadInt8(Checkpoint ckpt, String name, String module, long[] shape) {
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        TensorInfo info = ckpt.info(name);
        if (!Arrays.equals(info.shape(), shape)) {
            throw new CheckpointException(ckpt.dir() + ": " + name + " has shape " + Shapes.format(info.shape())
                    + " but the config implies " + Shapes.format(shape));
        }
        MemorySegment q = OffHeap.aligned(raw(ckpt, name, DType.I8, (long) rows * cols));
        MemorySegment scb = raw(ckpt, module + ".SCB", DType.F32, rows);
        String format = module + ".weight_format";
        if (ckpt.contains(format)) {
            if (ckpt.fileOf(format).readLongs(format)[0] != 0) {
                throw new CheckpointException(ckpt.dir() + ": " + format + " is not 0 (\"row\"), the only int8 "
                        + "layout bitsandbytes still writes");
            }
            ckpt.markUsed(format);
        }
        return new Int8Weight(name, rows, cols, q, scb);
    }

    /** A tensor's mapped bytes after checking its dtype and element count; marks it used. */
    private static MemorySegment raw(Checkpoint ckpt, String name, DType dtype, long numel) {
        TensorInfo info = ckpt.info(name);
        if (info.dtype() != dtype || info.numel() != numel) {
            throw new CheckpointException(ckpt.dir() + ": quantized tensor '" + name + "' is " + info.describe()
                    + "; expected " + numel + " values of " + dtype);
        }
        ckpt.markUsed(name);
        return ckpt.fileOf(name).segment(name);
    }

    private static float[] floats(Checkpoint ckpt, String name, int count) {
        return OffHeap.toFloats(raw(ckpt, name, DType.F32, count));
    }

    private static String torchDtype(DType d) {
        return switch (d) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> "float32";
        };
    }

    private static DType dtypeOf(String torchName) {
        return switch (torchName) {
            case "bfloat16" -> DType.BF16;
            case "float16" -> DType.F16;
            default -> DType.F32;
        };
    }
}
