package dev.idefics4j.spark;

import dev.idefics4j.testing.TestData;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad rows — corrupt and missing images, broken lines, impossible options — each get their own error, and the job
 * completes with the good rows answered.
 */
class ErrorRowsTest {
    private static final SparkSession spark = SparkTests.session();

    @TempDir
    static Path dir;

    private static Map<String, Row> byId(List<Row> rows) {
        Map<String, Row> out = new HashMap<>();
        rows.forEach(r -> out.put(r.getAs("id"), r));
        return out;
    }

    @Test
    void parquetWithCorruptAndMissingImagesCompletes() throws Exception {
        byte[] good = Files.readAllBytes(TestData.fixture("images/cat_rgb_97x61.jpg"));
        byte[] truncated = Arrays.copyOf(good, good.length / 3);
        Path corruptFile = dir.resolve("corrupt.png");
        Files.write(corruptFile, "this is not a PNG".getBytes());
        StructType schema = new StructType().add("id", DataTypes.StringType).add("task", DataTypes.StringType)
                .add("image", DataTypes.BinaryType).add("text", DataTypes.StringType)
                .add("labels", DataTypes.createArrayType(DataTypes.StringType)).add("options", DataTypes.StringType)
                .add("ranked", DataTypes.BooleanType);
        List<Row> rows = List.of(
                RowFactory.create("good-bytes", "caption", good, null, null, null, null),
                RowFactory.create("truncated-bytes", "caption", truncated, null, null, null, null),
                RowFactory.create("garbage-bytes", "ask", "not an image".getBytes(), "What?", null, null, null),
                RowFactory.create("no-image", "caption", null, null, null, null, null),
                RowFactory.create("good-ask", "ask", good, "What is it?", null, "{\"max_new_tokens\": 4}", null),
                RowFactory.create("no-labels", "classify", good, null, null, null, null),
                RowFactory.create("bad-options", "caption", good, null, null, "{\"max_new_tokens\": \"many\"}", null),
                RowFactory.create("unknown-option", "caption", good, null, null, "{\"temprature\": 0.5}", null),
                RowFactory.create("options-not-json", "caption", good, null, null, "{max_new_tokens: 3", null),
                RowFactory.create("unknown-task", "paint", good, null, null, null, null),
                RowFactory.create("ranked", "classify", good, null, List.of("cat", "dog"), null, true));
        Path input = dir.resolve("bad.parquet");
        spark.createDataFrame(rows, schema).write().parquet(input.toString());
        // The same rows by path: a missing file and a corrupt one.
        Path output = dir.resolve("bad-out");
        IdeficsBatchJob.Summary s = IdeficsBatchJob.run(spark, new IdeficsBatchJob.Settings(SparkTests.tiny(),
                input.toString(), null, output.toString(), Format.JSON, 2, WriteMode.ERROR, 0, null));
        assertEquals(rows.size(), s.rows());
        Map<String, Row> out = byId(spark.read().schema(ResultSchema.SCHEMA).json(output.toString()).collectAsList());
        assertEquals(rows.size(), out.size());
        assertNull(out.get("good-bytes").getAs("error"));
        assertNotNull(out.get("good-bytes").getAs("new_text"));
        assertNull(out.get("good-ask").getAs("error"));
        assertEquals(4, out.get("good-ask").getList(out.get("good-ask").fieldIndex("new_ids")).size());
        assertNull(out.get("ranked").getAs("error"));
        assertEquals(2, out.get("ranked").getList(out.get("ranked").fieldIndex("scores")).size());
        assertError(out, "truncated-bytes", "");
        assertError(out, "garbage-bytes", "");
        assertError(out, "no-image", "no image");
        assertError(out, "no-labels", "label");
        assertError(out, "bad-options", "max_new_tokens");
        assertError(out, "unknown-option", "temprature");
        assertError(out, "options-not-json", "options is not valid JSON");
        assertError(out, "unknown-task", "unknown task 'paint'");
        assertEquals(8, s.errors());
    }

    @Test
    void jsonLinesWithBrokenLinesAndMissingFilesCompletes() throws Exception {
        Path corrupt = dir.resolve("broken.jpg");
        Files.write(corrupt, new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2});
        String cat = TestData.fixture("images/cat_rgb_97x61.jpg").toString();
        Path input = dir.resolve("bad.jsonl");
        Files.write(input, List.of(
                "{\"id\": \"ok\", \"image\": \"" + cat + "\"}",
                "{\"id\": \"missing\", \"image\": \"no/such/file.png\"}",
                "{\"id\": \"corrupt\", \"image\": \"broken.jpg\"}",
                "{\"id\": \"broken-json\", \"image\": ",
                "",
                "[1, 2]",
                "{\"id\": \"raw-bad-image\", \"prompt\": [{\"image\": \"nope.png\"}, \"Hi\"], \"max_new_tokens\": 2}",
                "{\"id\": \"ok-2\", \"image\": \"" + cat + "\", \"task\": \"ask\", \"text\": \"What?\"}"));
        Path output = dir.resolve("bad-jsonl-out");
        IdeficsBatchJob.Summary s = IdeficsBatchJob.run(spark, new IdeficsBatchJob.Settings(SparkTests.tiny(),
                input.toString(), null, output.toString(), null, 4, WriteMode.ERROR, 0, null));
        List<Row> rows = spark.read().schema(ResultSchema.SCHEMA).json(output.toString()).orderBy("row")
                .collectAsList();
        assertEquals(8, rows.size());
        assertEquals(6, s.errors());
        assertNull(rows.get(0).getAs("error"));
        assertTrue(rows.get(1).<String>getAs("error").contains("file.png"), rows.get(1).<String>getAs("error"));
        assertNotNull(rows.get(2).getAs("error"));
        assertTrue(rows.get(3).<String>getAs("error").startsWith("invalid JSON"));
        assertEquals("empty line", rows.get(4).getAs("error"));
        assertEquals("a request must be a JSON object", rows.get(5).getAs("error"));
        assertTrue(rows.get(6).<String>getAs("error").contains("nope.png"));
        assertNull(rows.get(7).getAs("error"));
    }

    @Test
    void csvCellsAreParsedAndNestedColumnsWrittenAsJson() throws Exception {
        String cat = TestData.fixture("images/cat_rgb_97x61.jpg").toString();
        Path input = dir.resolve("requests.csv");
        Files.write(input, List.of(
                "id,task,image,text,labels,max_new_tokens,ranked",
                "a,ask,\"" + cat + "\",\"What is it, really?\",,3,",
                "b,classify,\"" + cat + "\",,\"cat,dog\",,true",
                "c,classify,\"" + cat + "\",,\"[\"\"cat\"\", \"\"dog\"\"]\",,false"));
        Path output = dir.resolve("csv-out");
        IdeficsBatchJob.run(spark, new IdeficsBatchJob.Settings(SparkTests.tiny(), input.toString(), null, output.toString(),
                null, 4, WriteMode.ERROR, 0, null));
        List<Row> rows = spark.read().option("header", "true").option("escape", "\"").option("multiLine", "true")
                .csv(output.toString())
                .orderBy("row").collectAsList();
        assertEquals(3, rows.size());
        rows.forEach(r -> assertNull(r.getAs("error"), r.toString()));
        assertEquals(3, ParityCases.JSON.readTree(rows.get(0).<String>getAs("new_ids")).size());
        assertEquals(2, ParityCases.JSON.readTree(rows.get(1).<String>getAs("scores")).size());
        assertNotNull(rows.get(2).getAs("label"));
        assertNull(rows.get(2).getAs("scores"));
    }

    private static void assertError(Map<String, Row> out, String id, String contains) {
        String error = out.get(id).getAs("error");
        assertNotNull(error, id);
        assertTrue(error.contains(contains), id + ": " + error);
        assertNull(out.get(id).getAs("new_text"), id);
    }
}
