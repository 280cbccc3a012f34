package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.objects.SafeString;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Python's {@code str} where chat templates use it: the methods they call ({@code message['role'].capitalize()},
 * {@code content.strip()}, {@code text.split('</think>')}, …) and indexing by position ({@code role[0]},
 * {@code text[-1]}), with Python's semantics. Jinja2 evaluates these on real Python strings; Jinjava would look them
 * up on {@link String} (where {@code capitalize} does not exist and {@code split} takes a regular expression), so this
 * resolver answers them first. Anything else falls through to Jinjava's own resolvers.
 */
final class PythonStrings extends ELResolver {
    private static final Set<String> METHODS = Set.of("capitalize", "title", "upper", "lower", "strip", "lstrip",
            "rstrip", "startswith", "endswith", "split", "replace", "find", "count", "join");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String || base instanceof SafeString) || !(method instanceof String name)
                || !METHODS.contains(name)) {
            return null;
        }
        String s = base.toString();
        Object[] args = params == null ? new Object[0] : params;
        Object result = switch (name) {
            case "capitalize" -> capitalize(s);
            case "title" -> title(s);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "strip" -> strip(s, chars(name, args), true, true);
            case "lstrip" -> strip(s, chars(name, args), true, false);
            case "rstrip" -> strip(s, chars(name, args), false, true);
            case "startswith" -> affix(name, s, args, true);
            case "endswith" -> affix(name, s, args, false);
            case "split" -> split(name, s, args);
            case "replace" -> replace(name, s, args);
            case "find" -> (long) s.indexOf(string(name, args, 0));
            case "count" -> count(s, string(name, args, 0));
            case "join" -> join(s, args);
            default -> throw new IllegalStateException(name);
        };
        context.setPropertyResolved(true);
        return result;
    }

    /** Python 3.8+: the first character in titlecase, the rest lowercased. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                .append(s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT)).toString();
    }

    /** Each run of letters starts in titlecase and continues lowercased ({@code "they're"} → {@code "They'Re"}). */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousIsCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            boolean cased = Character.isLetter(c) && (Character.isUpperCase(c) || Character.isLowerCase(c)
                    || Character.isTitleCase(c));
            out.appendCodePoint(previousIsCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousIsCased = cased;
            i += Character.charCount(c);
        }
        return out.toString();
    }

    /** Python's {@code str.isspace} for one character: Unicode whitespace, the separators, and NEL. */
    static boolean isPythonSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    private static String strip(String s, String chars, boolean left, boolean right) {
        int from = 0;
        int to = s.length();
        while (left && from < to && stripped(s.charAt(from), chars)) {
            from++;
        }
        while (right && to > from && stripped(s.charAt(to - 1), chars)) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? isPythonSpace(c) : chars.indexOf(c) >= 0;
    }

    /** The optional {@code chars} argument of the strip methods ({@code None} = whitespace). */
    private static String chars(String name, Object[] args) {
        return args.length == 0 || args[0] == null ? null : string(name, args, 0);
    }

    /** {@code startswith}/{@code endswith}: a string or a tuple of strings. */
    private static boolean affix(String name, String s, Object[] args, boolean prefix) {
        if (args.length == 0) {
            throw new IllegalArgumentException("str." + name + "() takes at least 1 argument (0 given)");
        }
        Collection<?> options = args[0] instanceof Collection<?> c ? c : List.of(string(name, args, 0));
        for (Object o : options) {
            String option = String.valueOf(o);
            if (prefix ? s.startsWith(option) : s.endsWith(option)) {
                return true;
            }
        }
        return false;
    }

    /** {@code split(sep=None, maxsplit=-1)}: on runs of whitespace without a separator, else on each separator. */
    private static List<String> split(String name, String s, Object[] args) {
        String sep = args.length == 0 || args[0] == null ? null : string(name, args, 0);
        long maxSplit = args.length > 1 && args[1] instanceof Number n ? n.longValue() : -1;
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (true) {
                while (i < s.length() && isPythonSpace(s.charAt(i))) {
                    i++;
                }
                if (i == s.length()) {
                    return out;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(strip(s.substring(i), null, false, true));
                    return out;
                }
                int end = i;
                while (end < s.length() && !isPythonSpace(s.charAt(end))) {
                    end++;
                }
                out.add(s.substring(i, end));
                i = end;
            }
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("str.split(): empty separator");
        }
        int from = 0;
        for (int at = s.indexOf(sep); at >= 0 && (maxSplit < 0 || out.size() < maxSplit); at = s.indexOf(sep, from)) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** {@code replace(old, new, count=-1)}; an empty {@code old} matches before every character and at the end. */
    private static String replace(String name, String s, Object[] args) {
        String old = string(name, args, 0);
        String replacement = string(name, args, 1);
        long count = args.length > 2 && args[2] instanceof Number n ? n.longValue() : -1;
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (long done = 0; count < 0 || done < count; done++) {
            int at = old.isEmpty() ? (done == 0 ? 0 : from + 1) : s.indexOf(old, from);
            if (at < 0 || at > s.length()) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
        }
        return out.append(s.substring(from)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String separator, Object[] args) {
        if (args.length != 1 || !(args[0] instanceof Iterable<?> items)) {
            throw new IllegalArgumentException("str.join() takes one iterable of strings");
        }
        StringBuilder out = new StringBuilder();
        Iterator<?> it = items.iterator();
        while (it.hasNext()) {
            Object item = it.next();
            if (!(item instanceof String || item instanceof SafeString)) {
                throw new IllegalArgumentException("str.join(): expected str instance, "
                        + (item == null ? "NoneType" : item.getClass().getSimpleName()) + " found");
            }
            out.append(item);
            if (it.hasNext()) {
                out.append(separator);
            }
        }
        return out.toString();
    }

    private static String string(String name, Object[] args, int index) {
        if (args.length <= index) {
            throw new IllegalArgumentException("str." + name + "() is missing argument " + (index + 1));
        }
        Object arg = args[index];
        if (!(arg instanceof String || arg instanceof SafeString)) {
            throw new IllegalArgumentException("str." + name + "() argument " + (index + 1) + " must be str, not "
                    + (arg == null ? "None" : arg.getClass().getSimpleName()));
        }
        return arg.toString();
    }

    /** {@code s[i]}: the character at a position, counted from the end when negative; out of range is undefined. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (!(base instanceof String || base instanceof SafeString) || property == null) {
            return null;
        }
        long index;
        try {
            index = Long.parseLong(property.toString());
        } catch (NumberFormatException e) {
            return null;
        }
        String s = base.toString();
        context.setPropertyResolved(true);
        int at = (int) (index < 0 ? s.length() + index : index);
        return index < -s.length() || index >= s.length() ? null : String.valueOf(s.charAt(at));
    }

    // Not otherwise a property resolver: Jinjava's own resolvers answer every other look-up.

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
