package dev.idefics4j.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.IdeficsOptions;
import dev.idefics4j.tensor.quant.Quantization;
import dev.idefics4j.request.Requests;
import dev.idefics4j.testing.TestData;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on local Spark (two cores, batches of 4): every output row equals what the {@code batch} command gives
 * the equivalent line, from JSON Lines and from Parquet, and the output keeps the input's order.
 */
class SparkBatchJobTest {
    private static Idefics idefics;
    private static List<ParityCases.Case> cases;
    private static List<Map<String, Object>> expected;
    private static SparkSession spark;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() {
        spark = SparkTests.session();
        idefics = Idefics.load(TestData.model("tiny"));
        cases = ParityCases.all(idefics, ParityCases.earlyEos(idefics));
        expected = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            expected.add(Requests.batchLine(idefics, cases.get(i).batchLine().toString(), i + 1, dir));
        }
    }

    @AfterAll
    static void close() {
        idefics.close();
    }

    @Test
    void jsonLinesGiveTheBatchCommandsResults() throws Exception {
        Path input = dir.resolve("requests.jsonl");
        Files.write(input, cases.stream().map(c -> c.row().toString()).toList());
        Path output = dir.resolve("out-json");
        IdeficsBatchJob.Summary s = IdeficsBatchJob.run(spark, new IdeficsBatchJob.Settings(SparkTests.tiny(),
                input.toString(), null, output.toString(), null, 4, WriteMode.ERROR, 2, null));
        assertEquals(cases.size(), s.rows());
        assertEquals(0, s.errors());
        assertTrue(Files.exists(output.resolve("_SUCCESS")));
        assertMatches(spark.read().schema(ResultSchema.SCHEMA).json(output.toString()).orderBy("row").collectAsList());
    }

    @Test
    void parquetGivesTheBatchCommandsResults() {
        StructType schema = new StructType().add("id", DataTypes.StringType).add("task", DataTypes.StringType)
                .add("image", DataTypes.StringType).add("text", DataTypes.StringType)
                .add("labels", DataTypes.createArrayType(DataTypes.StringType)).add("prompt", DataTypes.StringType)
                .add("eos_token_id", DataTypes.IntegerType)
                .add("stop", DataTypes.createArrayType(DataTypes.StringType));
        List<Row> rows = new ArrayList<>();
        for (ParityCases.Case c : cases) {
            ObjectNode r = c.row();
            boolean raw = !r.has("task");
            ObjectNode request = r.deepCopy();
            request.remove("id");
            rows.add(RowFactory.create(c.id(), raw ? null : r.path("task").asText(),
                    raw ? null : r.path("image").asText(), r.path("text").asText(null),
                    r.has("labels") ? List.of("cat", "dog", "rocket") : null, raw ? request.toString() : null,
                    r.has("eos_token_id") ? r.get("eos_token_id").asInt() : null,
                    r.has("stop") ? List.of(r.get("stop").get(0).asText()) : null));
        }
        Path input = dir.resolve("requests.parquet");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(input.toString());
        Path output = dir.resolve("out-parquet");
        IdeficsBatchJob.run(spark, new IdeficsBatchJob.Settings(SparkTests.tiny(), input.toString(), null, output.toString(),
                null, 4, WriteMode.ERROR, 0, null));
        Dataset<Row> out = spark.read().parquet(output.toString());
        assertMatches(out.collectAsList());
    }

    /** With --quantize, every executor quantizes while loading: the rows equal the batch command on that model. */
    @Test
    void quantizedJobGivesTheQuantizedModelsResults() throws Exception {
        List<ParityCases.Case> some = cases.subList(0, Math.min(4, cases.size()));
        List<Map<String, Object>> want = new ArrayList<>();
        try (Idefics nf4 = Idefics.load(IdeficsOptions.of(TestData.model("tiny").toString())
                .withQuantization(Quantization.NF4))) {
            for (int i = 0; i < some.size(); i++) {
                want.add(Requests.batchLine(nf4, some.get(i).batchLine().toString(), i + 1, dir));
            }
        }
        // nf4 changes the tiny random model's answers: equal rows below mean the executors really quantized.
        assertNotEquals(expected.subList(0, some.size()), want);
        Path input = dir.resolve("requests-nf4.jsonl");
        Files.write(input, some.stream().map(c -> c.row().toString()).toList());
        Path output = dir.resolve("out-nf4");
        ModelSpec model = SparkTests.tiny().withQuantization("nf4", false);
        IdeficsBatchJob.Summary s = IdeficsBatchJob.run(spark, new IdeficsBatchJob.Settings(model,
                input.toString(), null, output.toString(), null, 4, WriteMode.ERROR, 2, null));
        assertEquals(some.size(), s.rows());
        assertEquals(0, s.errors());
        List<Row> out = spark.read().schema(ResultSchema.SCHEMA).json(output.toString()).orderBy("row")
                .collectAsList();
        for (int i = 0; i < some.size(); i++) {
            Row r = out.get(i);
            Parity.assertSame(want.get(i), SparkRows.sequences(r), r.getAs("error"), some.get(i).id());
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> SparkTests.tiny().withQuantization("int8", true));
        assertTrue(bad.getMessage().contains("double quantization"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparkTests.tiny().withQuantization("int3", false));
        IdeficsOptions fast = model.withBf16Dot(true).options();
        assertTrue(fast.bf16Dot() && fast.quantization().equals(Quantization.NF4), fast.toString());
    }

    private static void assertMatches(List<Row> out) {
        assertEquals(cases.size(), out.size());
        for (int i = 0; i < cases.size(); i++) {
            Row r = out.get(i);
            assertEquals(i, r.<Long>getAs("row"), "rows come back in input order");
            assertEquals(cases.get(i).id(), r.getAs("id"));
            Parity.assertSame(expected.get(i), SparkRows.sequences(r), r.getAs("error"), cases.get(i).id());
        }
        Row classify = out.stream().filter(r -> "classify-1".equals(r.getAs("id"))).findFirst().orElseThrow();
        assertFalse(classify.isNullAt(classify.fieldIndex("label")));
    }
}
