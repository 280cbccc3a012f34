package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.request.Requests;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.util.Map;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Log-probabilities of candidate continuations after a prompt (JSON).",
                "Request: {\"prompt\": [...items...], \"continuations\": [\"a cat\", \"a dog\"]}"})
final class ScoreCommand extends JsonRequestCommand {
    @Override
    Map<String, Object> answer(Idefics idefics, JsonNode request, Path baseDir) {
        return Requests.score(idefics, request, baseDir);
    }
}
