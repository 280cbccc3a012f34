package dev.idefics4j.processor;

import java.util.regex.Pattern;

/** The reference processor's {@code is_url}: no space, and {@code urlparse} finds both a scheme and a host. */
final class Urls {
    private static final Pattern SCHEME_AND_HOST = Pattern.compile("^[A-Za-z][A-Za-z0-9+.\\-]*://[^/?#]+.*",
            Pattern.DOTALL);

    private Urls() {
    }

    static boolean isUrl(String s) {
        return !s.contains(" ") && SCHEME_AND_HOST.matcher(s).matches();
    }
}
