package dev.idefics4j.generation;

import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;

import java.util.List;

/**
 * Hugging Face {@code generate} for a {@link VisionLanguageModel}: greedy search, multinomial sampling, beam search
 * and beam sampling with the reference's logits processors and stopping criteria, over a batch of left-padded
 * prompts. Images are encoded and every prompt is prefilled once; each step then computes only the new token of
 * every row.
 */
public final class Generator {
    private final VisionLanguageModel model;
    private final GenerationTokenizer tokenizer;

    /** A generator without a tokenizer: {@code stop} and {@code bad_words} strings are then rejected. */
    public Generator(VisionLanguageModel model) {
        this(model, null);
    }

    public Generator(VisionLanguageModel model, GenerationTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public List<GenerationResult> generate(ModelInputs inputs, GenerationConfig config) {
        return generate(inputs, config, null);
    }

    /**
     * Generates for every prompt of {@code inputs}: {@code num_return_sequences} results per prompt, prompt by
     * prompt.
     *
     * @param listener streaming and per-step scores (greedy and sampling only); null for none
     */
    public List<GenerationResult> generate(ModelInputs inputs, GenerationConfig config,
                                           GenerationListener listener) {
        GenerationPlan plan = GenerationPlan.resolve(config, inputs, model, tokenizer);
        List<GenerationResult> results;
        if (config.numBeams() > 1) {
            if (listener != null) {
                throw new IllegalArgumentException("a GenerationListener cannot follow beam search (num_beams "
                        + config.numBeams() + "): beams are only final at the end");
            }
            results = BeamSearch.run(model, inputs, plan);
        } else {
            results = SampleSearch.run(model, inputs, plan, listener);
        }
        if (listener != null) {
            listener.onFinish(results);
        }
        return results;
    }
}
