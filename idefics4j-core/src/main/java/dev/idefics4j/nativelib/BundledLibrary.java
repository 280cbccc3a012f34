package dev.idefics4j.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * A native library inside the jar (built by Maven from {@code idefics4j-core/src/main/c} when the build machine has
 * gcc; Linux x86-64 only), copied to a temporary file so that {@code java.lang.foreign} can load it. A system property
 * may name a library file to use instead.
 */
public final class BundledLibrary {
    private BundledLibrary() {
    }

    /**
     * The file to load: the one {@code overrideProperty} names, else the jar's {@code resource} copied out.
     *
     * @param whyMissing why a build may lack it, for the exception's message
     * @throws IOException where it is missing, cannot be copied, or this is not Linux x86-64
     */
    public static Path file(String resource, String overrideProperty, String whyMissing) throws IOException {
        String explicit = System.getProperty(overrideProperty);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IOException("it is built for Linux x86-64 only, this is " + os + " " + arch);
        }
        try (InputStream in = BundledLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("this build does not contain it (" + whyMissing + ")");
            }
            String name = resource.substring(resource.lastIndexOf('/') + 1);
            Path file = Files.createTempFile(name.substring(0, name.indexOf('.')) + "-", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }
}
