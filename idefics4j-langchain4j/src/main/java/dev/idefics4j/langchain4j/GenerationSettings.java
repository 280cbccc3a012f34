package dev.idefics4j.langchain4j;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's parameters as generation parameters by transformers' names, over the checkpoint's chat settings.
 * Without a temperature, top-p or top-k the model decodes as its checkpoint says (greedy search for the IDEFICS
 * checkpoints); with one of them it samples, as the server's routes do: temperature 0 is greedy search, an unset
 * temperature is 1, unset top-k and top-p are off. What IDEFICS has no equivalent for is refused by name.
 *
 * @param parameters   for the engine, by transformers' names
 * @param maxNewTokens LangChain4j's {@code maxOutputTokens}; null: what the token limit leaves
 */
record GenerationSettings(Map<String, Object> parameters, Integer maxNewTokens) {

    static GenerationSettings of(ChatRequestParameters request) {
        IdeficsChatRequestParameters p = IdeficsChatRequestParameters.from(request);
        refuseUnsupported(p);
        Map<String, Object> out = new LinkedHashMap<>();
        Double temperature = p.temperature();
        if (temperature != null && temperature < 0) {
            throw new InvalidRequestException("temperature must be 0 (greedy search) or more, got " + temperature);
        }
        boolean sampling = temperature != null ? temperature > 0 : p.topP() != null || p.topK() != null;
        if (temperature != null || p.topP() != null || p.topK() != null) {
            out.put("do_sample", sampling);
        }
        if (sampling) {
            out.put("temperature", temperature == null ? 1.0 : temperature);
            out.put("top_k", p.topK() == null ? 0 : p.topK());
            out.put("top_p", p.topP() == null ? 1.0 : p.topP());
        }
        if (p.seed() != null) {
            out.put("seed", p.seed());
        }
        if (p.stopSequences() != null) {
            List<String> stops = p.stopSequences().stream().filter(s -> !s.isEmpty()).toList();
            if (!stops.isEmpty()) {
                out.put("stop", stops);
            }
        }
        if (p.numBeams() != null) {
            out.put("num_beams", p.numBeams());
        }
        if (p.repetitionPenalty() != null) {
            out.put("repetition_penalty", p.repetitionPenalty());
        }
        if (p.minNewTokens() != null) {
            out.put("min_new_tokens", p.minNewTokens());
        }
        if (p.badWords() != null && !p.badWords().isEmpty()) {
            out.put("bad_words", p.badWords());
        }
        return new GenerationSettings(out, p.maxOutputTokens());
    }

    private static void refuseUnsupported(ChatRequestParameters p) {
        if (p.frequencyPenalty() != null && p.frequencyPenalty() != 0) {
            throw new UnsupportedFeatureException("frequencyPenalty is not supported by IDEFICS (got "
                    + p.frequencyPenalty() + "); use IdeficsChatRequestParameters.repetitionPenalty, transformers' "
                    + "repetition_penalty, instead");
        }
        if (p.presencePenalty() != null && p.presencePenalty() != 0) {
            throw new UnsupportedFeatureException("presencePenalty is not supported by IDEFICS (got "
                    + p.presencePenalty() + "); use IdeficsChatRequestParameters.repetitionPenalty, transformers' "
                    + "repetition_penalty, instead");
        }
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("tools are not supported by IDEFICS: the model was not trained "
                    + "to call functions (the request has " + p.toolSpecifications().size() + " tool specifications)");
        }
        if (p.toolChoice() == ToolChoice.REQUIRED) {
            throw new UnsupportedFeatureException("toolChoice REQUIRED is not supported by IDEFICS: the model was "
                    + "not trained to call functions");
        }
        ResponseFormat format = p.responseFormat();
        if (format != null && format.type() != ResponseFormatType.TEXT) {
            throw new UnsupportedFeatureException("response format " + format.type() + " is not supported by "
                    + "IDEFICS: the model was not trained to follow a JSON format; only text answers");
        }
    }
}
