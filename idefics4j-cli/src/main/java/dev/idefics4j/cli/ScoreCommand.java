package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.request.Requests;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Log-probabilities of candidate continuations after a prompt (JSON).",
                "Request: {\"prompt\": [...items...], \"continuations\": [\"a cat\", \"a dog\"]}"})
final class ScoreCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @ArgGroup(exclusive = false, multiplicity = "1")
    RequestInput input;

    @Override
    public Integer call() throws Exception {
        JsonNode request = input.read();
        try (Idefics idefics = Session.open(model)) {
            System.out.println(Json.write(Requests.score(idefics, request, input.baseDir())));
        }
        return 0;
    }
}
