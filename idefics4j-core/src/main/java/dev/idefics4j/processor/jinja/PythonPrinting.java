package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.expression.ExpressionStrategy;
import com.hubspot.jinjava.mode.ExecutionMode;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;

/**
 * Prints {@code {{ expression }}} as Jinja2 does, by Python's {@code str()} ({@link PythonRepr}), where Jinjava would
 * print {@code true} for {@code True}. Installed as an execution mode because that is where Jinjava lets a context
 * choose how expressions are written out. Values are never rendered again as templates.
 */
final class PythonPrinting implements ExecutionMode, ExpressionStrategy {
    static final PythonPrinting INSTANCE = new PythonPrinting();

    private PythonPrinting() {
    }

    @Override
    public void prepareContext(Context context) {
        context.setExpressionStrategy(this);
    }

    @Override
    public RenderedOutputNode interpretOutput(ExpressionToken master, JinjavaInterpreter interpreter) {
        Object value = interpreter.resolveELExpression(master.getExpr(), master.getLineNumber());
        String text = PythonRepr.str(value);
        return new RenderedOutputNode(text != null ? text : interpreter.getAsString(value));
    }
}
