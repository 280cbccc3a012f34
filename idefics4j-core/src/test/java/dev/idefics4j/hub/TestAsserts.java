package dev.idefics4j.hub;

import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Assertions shared by the hub tests. */
final class TestAsserts {
    private TestAsserts() {
    }

    /** Runs {@code call}, which must fail with a {@link HubException} of {@code kind}; returns it. */
    static HubException fails(HubException.Kind kind, Executable call) {
        HubException e = assertThrows(HubException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }
}
