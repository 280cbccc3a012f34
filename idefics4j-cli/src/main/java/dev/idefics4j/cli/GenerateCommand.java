package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.request.Requests;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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

}
