package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.objects.date.StrftimeFormatter;

import java.time.ZonedDateTime;
import java.util.Locale;

/** The globals transformers adds to the chat-template environment. */
final class TemplateFunctions {
    private TemplateFunctions() {
    }

    /** {@code raise_exception(message)}: the template refuses the conversation with its own message. */
    static Object raiseException(Object message) {
        String text = String.valueOf(message);
        RenderState.raise(text);
        throw new IllegalStateException(text);
    }

    /** {@code strftime_now(format)}: the local time now, formatted by Python's strftime codes (C locale). */
    static String strftimeNow(String format) {
        return StrftimeFormatter.format(ZonedDateTime.now(), format, Locale.ENGLISH);
    }
}
