package dev.idefics4j.tensor;

/**
 * The JVM flags the library needs, checked when a model loads: the kernels run on the Vector API, an incubator
 * module in Java 25 that a JVM resolves only when told to. Without it, loading would succeed and the first inference
 * fail with {@code NoClassDefFoundError: jdk/incubator/vector/Vector}.
 */
public final class VectorModule {
    /** The flags, as the command line, Maven's argLine and Gradle's jvmArgs take them. */
    public static final String FLAGS = "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED";

    private VectorModule() {
    }

    /** @throws IllegalStateException naming the flags when the JVM runs without the Vector API module */
    public static void require() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException("idefics4j needs the JVM flags " + FLAGS + " (its kernels run on the "
                    + "Vector API, an incubator module): add them to the java command (Maven: Surefire's <argLine>, "
                    + "MAVEN_OPTS for exec:java; Gradle: jvmArgs); see the README, \"Use as a library\"");
        }
    }
}
