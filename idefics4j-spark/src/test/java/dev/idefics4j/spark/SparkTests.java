package dev.idefics4j.spark;

import dev.idefics4j.testing.TestData;
import org.apache.spark.sql.SparkSession;

/**
 * The one local Spark session of this module's tests (two cores, few shuffle partitions, local mode set up as
 * spark-batch does it: loopback only, no UI), shared by every test class of the JVM: starting Spark costs seconds,
 * the jobs on the tiny checkpoint far less.
 */
final class SparkTests {
    private static SparkSession spark;

    private SparkTests() {
    }

    /** The bundled tiny random checkpoint. */
    static ModelSpec tiny() {
        return ModelSpec.of(TestData.model("tiny").toString());
    }

    static synchronized SparkSession session() {
        if (spark == null) {
            SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("idefics4j-spark tests")
                    .config("spark.sql.shuffle.partitions", "2");
            LocalMode.settings(false, null).forEach(builder::config);
            spark = builder.getOrCreate();
        }
        return spark;
    }
}
