/**
 * Hugging Face {@code generate} (transformers 4.46 semantics) for any {@link dev.idefics4j.model.VisionLanguageModel}:
 * {@link dev.idefics4j.generation.Generator} runs greedy search, multinomial sampling, beam search and beam sampling
 * over a batch of left-padded prompts ({@link dev.idefics4j.processor.ModelInputs}, as the family's processor made
 * them) under a {@link dev.idefics4j.generation.GenerationConfig}, and
 * returns one {@link dev.idefics4j.generation.GenerationResult} per sequence; a
 * {@link dev.idefics4j.generation.GenerationListener} (e.g. {@link dev.idefics4j.generation.TextStreamer}) follows
 * it step by step. {@link dev.idefics4j.generation.ContinuationScorer} scores given continuations of a prompt.
 */
package dev.idefics4j.generation;
