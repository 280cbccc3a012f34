package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.JinjavaInterpreter.InterpreterScopeClosable;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.TagToken;
import com.hubspot.jinjava.util.ForLoop;
import com.hubspot.jinjava.util.ObjectIterator;
import com.hubspot.jinjava.util.ObjectTruthValue;
import org.apache.commons.lang3.tuple.Pair;

import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Jinjava's {@code for} tag with two things of Jinja2's: the loop filter ({@code {% for m in messages if m.role ==
 * 'system' %}}, where {@code loop} counts the kept items), which Jinjava would read as an inline {@code if} and
 * iterate nothing; and every iteration counted as a step of the rendering, since a loop with an empty body renders no
 * node and counting nodes alone would not bound {@code {% for i in range(n) %}{% endfor %}} nested deep.
 */
final class CountingForTag extends ForTag {
    @Override
    public String interpretUnchecked(TagNode tagNode, JinjavaInterpreter interpreter) {
        Pair<List<String>, String> varsAndExpression = getLoopVarsAndExpression((TagToken) tagNode.getMaster());
        String expression = varsAndExpression.getRight();
        int filterAt = topLevelIf(expression);
        if (filterAt < 0) {
            return super.interpretUnchecked(tagNode, interpreter);
        }
        List<String> loopVars = varsAndExpression.getLeft();
        Object collection = interpreter.resolveELExpression(expression.substring(0, filterAt),
                tagNode.getLineNumber());
        String condition = expression.substring(filterAt + " if ".length());
        List<Object> kept = new ArrayList<>();
        ForLoop items = ObjectIterator.getLoop(collection);
        try (InterpreterScopeClosable scope = interpreter.enterScope()) {
            while (items.hasNext()) {
                RenderState.step(tagNode.getLineNumber(), tagNode.getStartPosition());
                Object item = interpreter.wrap(items.next());
                bind(interpreter, loopVars, item);
                if (ObjectTruthValue.evaluate(interpreter.resolveELExpression(condition, tagNode.getLineNumber()))) {
                    kept.add(item);
                }
            }
        }
        return renderForCollection(tagNode, interpreter, loopVars, kept);
    }

    @Override
    public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars,
                                      Object collection) {
        Object counted = collection instanceof Collection<?> items ? new Counted(items, tagNode) : collection;
        return super.renderForCollection(tagNode, interpreter, loopVars, counted);
    }

    /** Where {@code " if "} stands outside quotes and brackets: Jinja2's loop filter, or -1. */
    static int topLevelIf(String expression) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && Character.isWhitespace(c) && expression.startsWith("if", i + 1)
                    && i + 3 < expression.length() && Character.isWhitespace(expression.charAt(i + 3))) {
                return i;
            }
        }
        return -1;
    }

    /** The loop variables for one item, unpacked as the loop body will see them. */
    private static void bind(JinjavaInterpreter interpreter, List<String> loopVars, Object item) {
        if (loopVars.size() == 1) {
            interpreter.getContext().put(loopVars.getFirst(), item);
            return;
        }
        for (int i = 0; i < loopVars.size(); i++) {
            Object value = null;
            if (item instanceof Map.Entry<?, ?> e && i < 2) {
                value = i == 0 ? e.getKey() : e.getValue();
            } else if (item instanceof List<?> l && i < l.size()) {
                value = l.get(i);
            }
            interpreter.getContext().put(loopVars.get(i), value);
        }
    }

    /** A read-only view whose iterator takes a step per element. */
    private static final class Counted extends AbstractCollection<Object> {
        private final Collection<?> items;
        private final TagNode tag;

        Counted(Collection<?> items, TagNode tag) {
            this.items = items;
            this.tag = tag;
        }

        @Override
        public Iterator<Object> iterator() {
            Iterator<?> it = items.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Object next() {
                    RenderState.step(tag.getLineNumber(), tag.getStartPosition());
                    return it.next();
                }
            };
        }

        @Override
        public int size() {
            return items.size();
        }
    }
}
