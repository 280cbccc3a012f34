package dev.idefics4j.checkpoint;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Expected strings printed by CPython 3.11's {@code json.dumps} and {@code repr} for the same values. */
class PythonJsonTest {
    @Test
    void aNestedQuantStateIsWrittenAsBitsandbytesPacksIt() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("quant_type", "fp4");
        s.put("blocksize", 64);
        s.put("dtype", "bfloat16");
        s.put("shape", List.of(32, 64));
        s.put("nested_blocksize", 256);
        s.put("nested_dtype", "float32");
        s.put("nested_offset", 0.4937065839767456f);
        assertEquals("{\"quant_type\": \"fp4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [32, 64], "
                + "\"nested_blocksize\": 256, \"nested_dtype\": \"float32\", \"nested_offset\": 0.4937065839767456}",
                PythonJson.dumps(s));
    }

    @Test
    void floatsAreWrittenAsPythonsRepr() {
        assertEquals("9.999999747378752e-06", PythonJson.repr(1e-5f));
        assertEquals("9.999999747378752e-05", PythonJson.repr(1e-4f));
        assertEquals("123.0", PythonJson.repr(123f));
        assertEquals("3.000000106112566e-07", PythonJson.repr(3e-7f));
        assertEquals("1e+16", PythonJson.repr(1e16));
        assertEquals("0.0", PythonJson.repr(0.0));
        assertEquals("-0.0", PythonJson.repr(-0.0));
        assertEquals("0.10000000149011612", PythonJson.repr(0.1f));
        assertEquals("2.5000000501021934e+20", PythonJson.repr(2.5e20f));
        assertEquals("-7.25", PythonJson.repr(-7.25f));
    }
}
