package dev.idefics4j.testing;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Timeout;

/**
 * A Jazzer fuzz test of a {@link FuzzTarget}: it replays the target's seeds and its kept inputs
 * ({@code <Class>Inputs/<method>/} in the test resources) in every build, and fuzzes with coverage guidance under
 * {@code JAZZER_FUZZ=1} ({@code scripts/fuzz}). Each input must finish within {@link MutationFuzzer#TIMEOUT_SECONDS}
 * (on a separate thread, so that a parser that ignores interrupts still fails the test); when fuzzing, Jazzer makes
 * the same limit libFuzzer's per-input timeout. Put it after the method's {@code @MethodSource}: Jazzer requires
 * {@code @FuzzTest} last.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Timeout(value = MutationFuzzer.TIMEOUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@FuzzTest
public @interface ParserFuzzTest {
}
