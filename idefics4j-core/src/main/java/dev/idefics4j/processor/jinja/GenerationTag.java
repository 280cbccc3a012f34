package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter.InterpreterScopeClosable;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.util.LengthLimitingStringBuilder;

/**
 * {@code {% generation %}…{% endgeneration %}}, the block transformers adds to Jinja2 to mark the assistant's tokens
 * ({@code return_assistant_tokens_mask}). Rendering a prompt only needs its body, rendered in a scope of its own as
 * Jinja2's call block renders it.
 */
final class GenerationTag implements Tag {
    @Override
    public String getName() {
        return "generation";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        try (InterpreterScopeClosable scope = interpreter.enterScope()) {
            long limit = interpreter.getConfig().getMaxOutputSize();
            LengthLimitingStringBuilder out = new LengthLimitingStringBuilder(limit);
            for (Node child : tagNode.getChildren()) {
                out.append(child.render(interpreter));
            }
            return out.toString();
        }
    }
}
