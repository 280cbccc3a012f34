package dev.idefics4j.testing;

import java.util.List;

/**
 * A parser of untrusted bytes under fuzzing, and the rule it must keep: for any input it either succeeds or throws
 * one of its documented exception types with a message. Anything else (another exception, an exception without a
 * message, an {@link Error}) is rethrown as a finding. Jazzer's {@code @FuzzTest} methods and the
 * {@link MutationFuzzer} both call {@link #accept}.
 */
public final class FuzzTarget {
    /** The parser under test. */
    @FunctionalInterface
    public interface Parser {
        void parse(byte[] input) throws Exception;
    }

    private final String name;
    private final Parser parser;
    private final List<Class<? extends Throwable>> allowed;

    private FuzzTarget(String name, Parser parser, List<Class<? extends Throwable>> allowed) {
        this.name = name;
        this.parser = parser;
        this.allowed = allowed;
    }

    @SafeVarargs
    public static FuzzTarget of(String name, Parser parser, Class<? extends Throwable>... allowed) {
        return new FuzzTarget(name, parser, List.of(allowed));
    }

    public String name() {
        return name;
    }

    /** Parses {@code input}; returns normally on success or on a documented exception with a message. */
    public void accept(byte[] input) throws Exception {
        try {
            parser.parse(input);
        } catch (Exception e) {
            if (!allowed(e)) {
                throw e;
            }
        }
    }

    private boolean allowed(Throwable thrown) {
        if (allowed.stream().noneMatch(c -> c.isInstance(thrown))) {
            return false;
        }
        String message = thrown.getMessage();
        if (message == null || message.isBlank()) {
            throw new AssertionError(name + ": " + thrown.getClass().getName() + " without a message", thrown);
        }
        return true;
    }
}
