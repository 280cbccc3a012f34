package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaNodePreProcessor;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.errorcategory.BasicTemplateErrorCategory;
import com.hubspot.jinjava.tree.Node;

/**
 * What one rendering has done so far, on the thread that renders: the steps it took (nodes rendered and loop
 * iterations) against a budget, whether a fatal error was recorded, and the message of a {@code raise_exception}
 * call. Each stops the rendering at the next step: Jinjava records errors and carries on, where Jinja2 stops at the
 * first, and a template must not run unbounded (a loop that keeps failing to double a string past the output limit
 * would otherwise run to its end).
 */
final class RenderState {
    private static final ThreadLocal<RenderState> CURRENT = new ThreadLocal<>();

    private final long maxSteps;
    private long steps;
    private String raised;
    private TemplateError firstFatal;

    private RenderState(long maxSteps) {
        this.maxSteps = maxSteps;
    }

    /** Starts the state of a rendering on this thread; {@link #end()} must follow. */
    static RenderState begin(long maxSteps) {
        RenderState state = new RenderState(maxSteps);
        CURRENT.set(state);
        return state;
    }

    void end() {
        CURRENT.remove();
    }

    /** Counts one step of the rendering on this thread, or stops it (again) once it must stop. */
    static void step(int line, int position) {
        RenderState state = CURRENT.get();
        if (state == null) {
            return;
        }
        if (state.raised != null) {
            throw new InterpretException("the template raised an exception: " + state.raised, line, position);
        }
        if (state.firstFatal != null) {
            throw new InterpretException("rendering stopped at the first fatal error", line, position);
        }
        if (++state.steps > state.maxSteps) {
            throw new InterpretException("rendering took more than " + state.maxSteps + " steps", line, position);
        }
    }

    /** Records the template's own error; the rendering stops at its next step. */
    static void raise(String message) {
        RenderState state = CURRENT.get();
        if (state != null && state.raised == null) {
            state.raised = message;
        }
    }

    /** Whether an error ends the rendering: a fatal one, or a macro recursing past the limit (Python would raise). */
    static boolean isFatal(TemplateError error) {
        return error.getSeverity() == TemplateError.ErrorType.FATAL
                || error.getCategory() == BasicTemplateErrorCategory.CYCLE_DETECTED;
    }

    /** The first fatal error recorded, which stopped the rendering; null when none was. */
    TemplateError firstFatal() {
        return firstFatal;
    }

    String raised() {
        return raised;
    }

    boolean exhausted() {
        return steps > maxSteps;
    }

    /** Jinjava's interpreter, which marks the rendering on this thread failed when it records a fatal error. */
    static final class StoppingInterpreters implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new Stopping(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig config) {
            return new Stopping(application, context, config);
        }

        private static final class Stopping extends JinjavaInterpreter {
            Stopping(Jinjava application, Context context, JinjavaConfig config) {
                super(application, context, config);
            }

            Stopping(JinjavaInterpreter orig) {
                super(orig);
            }

            @Override
            public void addError(TemplateError error) {
                super.addError(error);
                RenderState state = CURRENT.get();
                if (error != null && state != null && state.firstFatal == null && isFatal(error)) {
                    state.firstFatal = error;
                }
            }
        }
    }

    /** Jinjava's pre-processor of every node (current node, interruption), plus a step. */
    static final class CountingNodes extends JinjavaNodePreProcessor {
        @Override
        public void accept(Node node, JinjavaInterpreter interpreter) {
            super.accept(node, interpreter);
            step(node.getLineNumber(), node.getStartPosition());
        }
    }
}
