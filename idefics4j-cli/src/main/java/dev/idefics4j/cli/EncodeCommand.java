package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.processor.Processor;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.request.RequestParser;
import dev.idefics4j.request.Requests;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Show the model's view of a prompt: the prompt string, token ids, masks and images (JSON).")
final class EncodeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @ArgGroup(exclusive = false, multiplicity = "1")
    RequestInput input;

    @Override
    public Integer call() throws Exception {
        JsonNode request = input.read();
        LocalInputs.checkRequest(request, input.baseDir());
        Processor processor = model.processor(new ImageLoader());
        ModelInputs in = processor.process(RequestParser.prompts(request, input.baseDir()),
                RequestParser.processorOptions(request));
        System.out.println(Json.write(Requests.view(in)));
        return 0;
    }

}
