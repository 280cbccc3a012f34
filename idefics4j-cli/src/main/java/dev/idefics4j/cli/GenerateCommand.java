package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.Completion;
import dev.idefics4j.Idefics;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Run generate on one request and print {\"sequences\": [...]} (JSON).",
                "Request: {\"prompts\": [[\"User:\", {\"image\": \"cat.jpg\"}, \"Describe it.\\nAssistant:\"]],"
                        + " \"max_new_tokens\": 20, ...} with generation parameters under the reference names."})
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @ArgGroup(exclusive = false, multiplicity = "1")
    RequestInput input;

    @Override
    public Integer call() throws Exception {
        JsonNode request = input.read();
        try (Idefics idefics = Session.open(model)) {
            System.out.println(Json.write(Requests.generate(idefics, request, input.baseDir())));
        }
        return 0;
    }

    /** One completion as the JSON contract names its fields. */
    static Map<String, Object> view(Completion c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prompt", c.prompt());
        out.put("ids", c.ids());
        out.put("new_ids", c.newIds());
        out.put("text", c.text());
        out.put("new_text", c.newText());
        out.put("finish_reason", c.finishReason().label());
        c.score().ifPresent(s -> out.put("score", s));
        return out;
    }

    static Map<String, Object> view(List<Completion> completions) {
        List<Map<String, Object>> seqs = new ArrayList<>();
        completions.forEach(c -> seqs.add(view(c)));
        return Map.of("sequences", seqs);
    }
}
