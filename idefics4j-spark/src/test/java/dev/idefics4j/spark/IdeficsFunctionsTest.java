package dev.idefics4j.spark;

import dev.idefics4j.Idefics;
import dev.idefics4j.LabelScore;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.testing.TestData;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The SQL functions answer from queries as the facade's tasks do, for paths and for bytes. */
class IdeficsFunctionsTest {
    private static final List<String> LABELS = List.of("cat", "rocket", "person");
    private static SparkSession spark;
    private static Idefics idefics;
    private static String cat;
    private static String rocket;

    @BeforeAll
    static void setUp() throws Exception {
        spark = SparkTests.session();
        idefics = Idefics.load(TestData.model("tiny"));
        IdeficsFunctions.register(spark, TestData.model("tiny").toString());
        cat = TestData.fixture("images/cat_rgb_97x61.jpg").toString();
        rocket = TestData.fixture("images/rocket_rgb_200x320.jpg").toString();
        StructType schema = new StructType().add("name", DataTypes.StringType).add("path", DataTypes.StringType)
                .add("bytes", DataTypes.BinaryType);
        spark.createDataFrame(List.of(
                RowFactory.create("cat", cat, Files.readAllBytes(Path.of(cat))),
                RowFactory.create("rocket", rocket, Files.readAllBytes(Path.of(rocket))),
                RowFactory.create("missing", "no/such.png", null),
                RowFactory.create("corrupt", null, "garbage".getBytes())), schema).createOrReplaceTempView("images");
    }

    @AfterAll
    static void close() {
        idefics.close();
    }

    private static ImageSource file(String path) {
        return ImageSource.file(Path.of(path));
    }

    @Test
    void sqlAnswersAsTheFacade() {
        List<Row> rows = spark.sql("SELECT name, idefics_caption(path) AS caption, "
                + "idefics_ask(path, 'What is this?') AS answer, "
                + "idefics_classify(path, array('cat', 'rocket', 'person')) AS label, "
                + "idefics_classify_ranked(bytes, array('cat', 'rocket', 'person')) AS ranking "
                + "FROM images WHERE name IN ('cat', 'rocket') ORDER BY name").collectAsList();
        assertEquals(2, rows.size());
        for (Row r : rows) {
            String path = r.<String>getAs("name").equals("cat") ? cat : rocket;
            assertEquals(idefics.caption(file(path)), r.getAs("caption"));
            assertEquals(idefics.ask(file(path), "What is this?"), r.getAs("answer"));
            assertEquals(idefics.classify(file(path), LABELS), r.getAs("label"));
            List<LabelScore> expected = idefics.rank(file(path), LABELS);
            List<Row> ranking = r.getList(r.fieldIndex("ranking"));
            assertEquals(expected.size(), ranking.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).label(), ranking.get(i).getAs("label"));
                assertEquals(expected.get(i).logprob(), ranking.get(i).<Double>getAs("logprob"), 1e-9);
            }
        }
    }

    @Test
    void dataFramesCallThemByName() {
        Dataset<Row> df = spark.table("images").where("name = 'cat'")
                .select(functions.call_function("idefics_caption", functions.col("bytes")).as("caption"));
        assertEquals(idefics.caption(file(cat)), df.first().getAs("caption"));
    }

    @Test
    void unreadableAndMissingImagesGiveNull() {
        List<Row> rows = spark.sql("SELECT name, idefics_caption(path) AS by_path, idefics_caption(bytes) AS by_bytes "
                + "FROM images WHERE name IN ('missing', 'corrupt') ORDER BY name").collectAsList();
        for (Row r : rows) {
            assertNull(r.getAs("by_path"), r.toString());
            assertNull(r.getAs("by_bytes"), r.toString());
        }
    }
}
