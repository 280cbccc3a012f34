package dev.idefics4j.image;

import java.util.Base64;
import java.util.Locale;

/** The bytes of a base64 {@code data:} URL (RFC 2397), within the encoded-size limit. */
final class DataUrlDecoder {
    private DataUrlDecoder() {
    }

    static byte[] decode(ImageSource.DataUrl source, ImageLimits limits) {
        String url = source.url();
        String where = source.description();
        if (!url.regionMatches(true, 0, "data:", 0, 5)) {
            throw ImageLoadException.of(where, "not a data URL (it must start with \"data:\")");
        }
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw ImageLoadException.of(where, "invalid data URL: no ',' between the media type and the data");
        }
        String header = url.substring(5, comma).toLowerCase(Locale.ROOT);
        if (!header.endsWith(";base64")) {
            throw ImageLoadException.of(where, "unsupported data URL: only base64 data (\"data:image/...;base64,\") "
                    + "is accepted for images");
        }
        String payload = stripWhitespace(url.substring(comma + 1));
        // Three bytes per four characters: refuse before decoding anything larger than allowed.
        long decodedSize = payload.length() / 4L * 3;
        if (decodedSize > limits.maxEncodedBytes()) {
            throw ImageLoadException.of(where, "data URL holds about " + decodedSize + " bytes, more than the limit of "
                    + limits.maxEncodedBytes() + " bytes");
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(payload);
            if (bytes.length == 0) {
                throw ImageLoadException.of(where, "data URL is empty");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw ImageLoadException.of(where, "invalid base64 in data URL: " + e.getMessage(), e);
        }
    }

    /** Line breaks and spaces are common in pasted data URLs and not part of the base64 text. */
    private static String stripWhitespace(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
