package dev.idefics4j.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;

import java.util.List;
import java.util.Objects;

/**
 * LangChain4j's request parameters plus idefics4j's own, by the names of transformers' {@code generate}:
 * {@code seed} (sampling), {@code num_beams} (beam search), {@code repetition_penalty} (the multiplicative penalty
 * transformers applies, which idefics4j offers in place of OpenAI's frequency and presence penalties),
 * {@code min_new_tokens} and {@code bad_words} (strings the answer may not contain, banned by their tokens). A value
 * left null keeps the model's default.
 */
public class IdeficsChatRequestParameters extends DefaultChatRequestParameters {
    public static final IdeficsChatRequestParameters EMPTY = builder().build();

    private final Long seed;
    private final Integer numBeams;
    private final Double repetitionPenalty;
    private final Integer minNewTokens;
    private final List<String> badWords;

    protected IdeficsChatRequestParameters(Builder builder) {
        super(builder);
        this.seed = builder.seed;
        this.numBeams = builder.numBeams;
        this.repetitionPenalty = builder.repetitionPenalty;
        this.minNewTokens = builder.minNewTokens;
        this.badWords = builder.badWords == null ? null : List.copyOf(builder.badWords);
    }

    /** The sampling seed: the same seed and parameters give the same answer. */
    public Long seed() {
        return seed;
    }

    /** Beam search with this many beams (greedy beam search; with a temperature, beam sampling). */
    public Integer numBeams() {
        return numBeams;
    }

    /** transformers' {@code repetition_penalty}: above 1, tokens already in the prompt or answer are less likely. */
    public Double repetitionPenalty() {
        return repetitionPenalty;
    }

    /** No end of the answer (end of utterance, end of sequence or stop sequence) before this many new tokens. */
    public Integer minNewTokens() {
        return minNewTokens;
    }

    /** Words the answer may not contain (their tokens are banned, as transformers' {@code bad_words_ids}). */
    public List<String> badWords() {
        return badWords;
    }

    /** These parameters with every value that {@code that} sets put over them. */
    @Override
    public IdeficsChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    /** Any parameters as idefics4j's (LangChain4j's own keep their values; idefics4j's extras stay unset). */
    public static IdeficsChatRequestParameters from(ChatRequestParameters parameters) {
        return parameters instanceof IdeficsChatRequestParameters p ? p : builder().overrideWith(parameters).build();
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof IdeficsChatRequestParameters that && super.equals(that)
                && Objects.equals(seed, that.seed) && Objects.equals(numBeams, that.numBeams)
                && Objects.equals(repetitionPenalty, that.repetitionPenalty)
                && Objects.equals(minNewTokens, that.minNewTokens) && Objects.equals(badWords, that.badWords));
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, numBeams, repetitionPenalty, minNewTokens, badWords);
    }

    @Override
    public String toString() {
        return "IdeficsChatRequestParameters{" + super.toString() + ", seed=" + seed + ", numBeams=" + numBeams
                + ", repetitionPenalty=" + repetitionPenalty + ", minNewTokens=" + minNewTokens + ", badWords="
                + badWords + "}";
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private Long seed;
        private Integer numBeams;
        private Double repetitionPenalty;
        private Integer minNewTokens;
        private List<String> badWords;

        /** Takes every value {@code parameters} sets (idefics4j's own too, when it has them). */
        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof IdeficsChatRequestParameters p) {
                seed = p.seed != null ? p.seed : seed;
                numBeams = p.numBeams != null ? p.numBeams : numBeams;
                repetitionPenalty = p.repetitionPenalty != null ? p.repetitionPenalty : repetitionPenalty;
                minNewTokens = p.minNewTokens != null ? p.minNewTokens : minNewTokens;
                badWords = p.badWords != null ? p.badWords : badWords;
            }
            return this;
        }

        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder numBeams(Integer numBeams) {
            this.numBeams = numBeams;
            return this;
        }

        public Builder repetitionPenalty(Double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder minNewTokens(Integer minNewTokens) {
            this.minNewTokens = minNewTokens;
            return this;
        }

        public Builder badWords(List<String> badWords) {
            this.badWords = badWords;
            return this;
        }

        public Builder badWords(String... badWords) {
            return badWords(List.of(badWords));
        }

        @Override
        public IdeficsChatRequestParameters build() {
            return new IdeficsChatRequestParameters(this);
        }
    }
}
