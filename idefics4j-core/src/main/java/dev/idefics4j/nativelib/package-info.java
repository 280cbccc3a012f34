/** Loading the native libraries built into the jar (kernels, image decoders). */
package dev.idefics4j.nativelib;
