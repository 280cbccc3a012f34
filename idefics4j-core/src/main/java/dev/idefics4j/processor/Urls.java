package dev.idefics4j.processor;

import java.util.regex.Pattern;

/**
 * How the reference processor tells a URL in a text item: {@code is_url} after {@code str.strip(" ")}. Public so
 * that a server can find such text before the processor does and fetch it under its own checks.
 */
public final class Urls {
    private static final Pattern SCHEME_AND_HOST = Pattern.compile("^[A-Za-z][A-Za-z0-9+.\\-]*://[^/?#]+.*",
            Pattern.DOTALL);

    private Urls() {
    }

    /** {@code is_url}: no space, and {@code urlparse} finds both a scheme and a host. */
    public static boolean isUrl(String s) {
        return !s.contains(" ") && SCHEME_AND_HOST.matcher(s).matches();
    }

    /** Python's {@code str.strip(" ")}: spaces only, not tabs or newlines (in linear time). */
    public static String stripSpaces(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == ' ') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(start, end);
    }
}
