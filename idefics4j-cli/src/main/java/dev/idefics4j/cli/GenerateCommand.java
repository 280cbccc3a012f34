package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.request.Requests;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.util.Map;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Run generate on one request and print {\"sequences\": [...]} (JSON).",
                "Request: {\"prompts\": [[\"User:\", {\"image\": \"cat.jpg\"}, \"Describe it.\\nAssistant:\"]],"
                        + " \"max_new_tokens\": 20, ...} with generation parameters under the reference names."})
final class GenerateCommand extends JsonRequestCommand {
    @Override
    Map<String, Object> answer(Idefics idefics, JsonNode request, Path baseDir) {
        return Requests.generate(idefics, request, baseDir);
    }
}
