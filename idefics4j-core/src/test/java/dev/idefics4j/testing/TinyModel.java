package dev.idefics4j.testing;

import dev.idefics4j.Idefics;

/** The tiny fixture checkpoint, loaded once per test JVM and shared by the tests that only read from it. */
public final class TinyModel {
    private static Idefics idefics;

    private TinyModel() {
    }

    public static synchronized Idefics get() {
        if (idefics == null) {
            idefics = Idefics.load(TestData.model("tiny"));
        }
        return idefics;
    }
}
