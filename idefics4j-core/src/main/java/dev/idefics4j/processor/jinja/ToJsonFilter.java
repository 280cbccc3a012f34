package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import com.hubspot.jinjava.objects.SafeString;
import dev.idefics4j.checkpoint.PythonJson;

import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it for chat templates:
 * {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}, each keyword overridable
 * from the template. Python's spacing ({@code ", "} and {@code ": "}; {@code ","} between items when indenting),
 * its float repr ({@code 1e-07}, {@code 1e+20}, {@code 2.0}) and its string escapes, not Jinja2's HTML-safe filter.
 */
final class ToJsonFilter implements AdvancedFilter {
    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object[] positional = args == null ? new Object[0] : args;
        Map<String, Object> named = kwargs == null ? Map.of() : kwargs;
        // json.dumps(x, ensure_ascii, indent, separators, sort_keys) as the filter's positional order
        boolean ensureAscii = truthy(option(positional, named, 0, "ensure_ascii", false));
        String indent = indent(option(positional, named, 1, "indent", null));
        Object separators = option(positional, named, 2, "separators", null);
        boolean sortKeys = truthy(option(positional, named, 3, "sort_keys", false));
        String itemSeparator = indent == null ? ", " : ",";
        String keySeparator = ": ";
        if (separators != null) {
            if (!(separators instanceof List<?> pair) || pair.size() != 2) {
                throw new IllegalArgumentException("tojson: separators must be a pair of strings, not " + separators);
            }
            itemSeparator = String.valueOf(pair.get(0));
            keySeparator = String.valueOf(pair.get(1));
        }
        return PythonJson.dumps(var, new PythonJson.Style(ensureAscii, indent, itemSeparator, keySeparator,
                sortKeys, v -> v instanceof SafeString s ? s.getValue() : v));
    }

    private static Object option(Object[] args, Map<String, Object> kwargs, int index, String name, Object fallback) {
        if (kwargs.containsKey(name)) {
            return kwargs.get(name);
        }
        return index < args.length ? args[index] : fallback;
    }

    private static boolean truthy(Object o) {
        return o instanceof Boolean b ? b : o != null;
    }

    /** An int indent is that many spaces, a string is used as it is, None means one line. */
    private static String indent(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Number n) {
            return " ".repeat((int) Math.max(0, n.longValue()));
        }
        return o.toString();
    }
}
