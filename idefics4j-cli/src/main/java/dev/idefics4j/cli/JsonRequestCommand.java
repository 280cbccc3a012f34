package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.Idefics;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** A command that reads one JSON request, answers it with a loaded model and prints one JSON object. */
abstract class JsonRequestCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @ArgGroup(exclusive = false, multiplicity = "1")
    RequestInput input;

    abstract Map<String, Object> answer(Idefics idefics, JsonNode request, Path baseDir);

    @Override
    public Integer call() throws Exception {
        JsonNode request = input.read();
        LocalInputs.checkRequest(request, input.baseDir());
        try (Idefics idefics = Session.open(model)) {
            System.out.println(Json.write(answer(idefics, request, input.baseDir())));
        }
        return 0;
    }
}
