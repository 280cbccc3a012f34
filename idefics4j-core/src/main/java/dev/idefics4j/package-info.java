/** idefics4j: IDEFICS on the JVM. {@code Idefics} is the facade; the sub-packages hold the pipeline pieces. */
package dev.idefics4j;
