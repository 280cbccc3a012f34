package dev.idefics4j.spark;

import dev.idefics4j.testing.TestData;
import org.apache.spark.sql.SparkSession;

/**
 * The one local Spark session of this module's tests (two cores, no UI, few shuffle partitions), shared by every
 * test class of the JVM: starting Spark costs seconds, the jobs on the tiny checkpoint far less.
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
            spark = SparkSession.builder().master("local[2]").appName("idefics4j-spark tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
        }
        return spark;
    }
}
