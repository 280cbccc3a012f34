/**
 * transformers' chat-template environment on the JVM: {@link dev.idefics4j.processor.jinja.JinjaTemplate} renders a
 * Jinja template with HubSpot's Jinjava, configured and extended to give what Jinja2 gives under transformers 4.46's
 * settings ({@code trim_blocks}, {@code lstrip_blocks}, loop controls, {@code raise_exception},
 * {@code strftime_now}, {@code tojson}, Python's {@code str} methods and printing), with bounded rendering.
 *
 * <p>Known differences from Jinja2, none of which the Idefics2, Idefics3 or SmolVLM templates touch: {@code None}
 * prints as nothing (Jinjava does not tell it from a missing value); an attribute of a missing value is missing rather
 * than an error; {@code a and b} gives a boolean rather than an operand; {@code round} rounds halves up; unknown
 * filters and tests give nothing; {@code for ... else} never runs its {@code else}; {@code range} stops at
 * {@link dev.idefics4j.processor.jinja.JinjaTemplate#MAX_COLLECTION_SIZE} items. Python syntax Jinjava lacks
 * (extended slices such as {@code [::-1]}, {@code str * int}, {@code %} formatting, backslash-u escapes in strings)
 * fails with an error rather than rendering something else.
 */
package dev.idefics4j.processor.jinja;
