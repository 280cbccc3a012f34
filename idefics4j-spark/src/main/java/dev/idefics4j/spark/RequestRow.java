package dev.idefics4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * One input row as read, before anything is checked: the readers only pick the cells, so that every problem becomes
 * this row's error when it is prepared.
 *
 * @param row     position in the input, from 0
 * @param id      the row's {@code id} cell as text; null when absent
 * @param task    the task name; null to infer it
 * @param image   a path, URL or data URL ({@link String}), or encoded bytes ({@code byte[]}); null when absent
 * @param text    the caption's start, the question or the instruction
 * @param labels  the categories of {@code classify}
 * @param ranked  whether {@code classify} scores every label instead of generating
 * @param prompt  a raw prompt (a list of items) or a whole {@code generate} request (an object)
 * @param options generation and processor options by reference name, never null
 * @param invalid what made the row unreadable (invalid JSON, a cell of the wrong type); null when readable
 */
record RequestRow(long row, String id, String task, Object image, String text, List<String> labels, boolean ranked,
                  JsonNode prompt, ObjectNode options, String invalid) {

    static RequestRow invalid(long row, String id, String message) {
        return new RequestRow(row, id, null, null, null, null, false, null, JsonNodeFactory.instance.objectNode(),
                message);
    }

    /** A row of one of the guide's tasks, as the SQL functions make them. */
    static RequestRow task(Task task, Object image, String text, List<String> labels, boolean ranked) {
        return new RequestRow(0, null, task.label(), image, text, labels, ranked, null,
                JsonNodeFactory.instance.objectNode(), null);
    }
}
