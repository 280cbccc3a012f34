package dev.idefics4j.cli;

import dev.idefics4j.Idefics;
import dev.idefics4j.LabelScore;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.request.RequestParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The guide's tasks as commands: human-readable answers by default, {@code --json} for scripts. */
final class TaskCommands {
    private TaskCommands() {
    }

    /** Options every task command shares. */
    static class Common {
        @Mixin
        ModelOptions model;

        @Mixin
        GenerationOptions generation;

        @Option(names = "--json", description = "Print the answer as JSON (with the prompt the model saw).")
        boolean json;

        static ImageSource image(String value) {
            return RequestParser.imageSource(value, Path.of("").toAbsolutePath());
        }

        /** Prints the answer; with --json also the exact prompt string the model saw. */
        void print(Idefics idefics, String task, List<PromptItem> prompt, Map<String, Object> fields, String human) {
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("task", task);
                out.putAll(fields);
                out.put("prompt", idefics.encode(List.of(prompt), ProcessorOptions.DEFAULTS).promptStrings().get(0));
                System.out.println(Json.write(out));
            } else {
                System.out.println(human);
            }
        }
    }

    @Command(name = "caption", mixinStandardHelpOptions = true,
            description = "Caption an image (optionally continuing --prompt, e.g. \"This is an image of \").")
    static final class Caption extends Common implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IMAGE", description = "Path, http(s) URL or data: URL.")
        String image;

        @Option(names = "--prompt", paramLabel = "TEXT", description = "Start of the caption.")
        String prompt;

        @Override
        public Integer call() {
            ImageSource source = LocalInputs.image(image, "IMAGE");
            try (Idefics idefics = Session.open(model)) {
                String answer = prompt == null
                        ? idefics.caption(source, generation.toMap())
                        : idefics.caption(source, prompt, generation.toMap());
                List<PromptItem> seen = prompt == null ? idefics.prompts().caption(source)
                        : idefics.prompts().promptedCaption(source, prompt);
                print(idefics, "caption", seen, Map.of("image", image, "caption", answer), answer);
            }
            return 0;
        }
    }

    @Command(name = "ask", mixinStandardHelpOptions = true, description = "Answer a question about an image.")
    static final class Ask extends Common implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IMAGE", description = "Path, http(s) URL or data: URL.")
        String image;
        @Parameters(index = "1", paramLabel = "QUESTION", description = "The question, e.g. \"What animal is this?\"")
        String question;

        @Override
        public Integer call() {
            ImageSource source = LocalInputs.image(image, "IMAGE");
            try (Idefics idefics = Session.open(model)) {
                String answer = idefics.ask(source, question, generation.toMap());
                print(idefics, "ask", idefics.prompts().ask(source, question),
                        Map.of("image", image, "question", question, "answer", answer), answer);
            }
            return 0;
        }
    }

    @Command(name = "classify", mixinStandardHelpOptions = true,
            description = "Put an image into one of the given categories; --rank scores every category.")
    static final class Classify extends Common implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IMAGE", description = "Path, http(s) URL or data: URL.")
        String image;

        @Option(names = "--labels", required = true, split = ",", paramLabel = "A,B,C",
                description = "The categories, comma-separated.")
        List<String> labels;

        @Option(names = "--rank", description = "Score every label (log-probability after the prompt), best first.")
        boolean rank;

        @Override
        public Integer call() {
            List<String> clean = labels.stream().map(String::strip).toList();
            ImageSource source = LocalInputs.image(image, "IMAGE");
            try (Idefics idefics = Session.open(model)) {
                if (rank) {
                    List<LabelScore> ranked = idefics.rank(source, clean);
                    List<Map<String, Object>> rows = new ArrayList<>();
                    StringBuilder human = new StringBuilder();
                    for (LabelScore s : ranked) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("label", s.label());
                        row.put("logprob", s.logprob());
                        row.put("mean_logprob", s.meanLogprob());
                        rows.add(row);
                        human.append(String.format("%-24s %10.4f%n", s.label(), s.logprob()));
                    }
                    print(idefics, "classify", idefics.prompts().classify(source, clean),
                            Map.of("image", image, "label", ranked.get(0).label(),
                            "ranking", rows), human.toString().stripTrailing());
                } else {
                    String label = idefics.classify(source, clean, generation.toMap());
                    print(idefics, "classify", idefics.prompts().classify(source, clean),
                            Map.of("image", image, "label", label), label);
                }
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Write about an image following an instruction (a product description, a story...).")
    static final class Describe extends Common implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IMAGE", description = "Path, http(s) URL or data: URL.")
        String image;
        @Parameters(index = "1", arity = "0..1", paramLabel = "INSTRUCTION",
                description = "What to write, e.g. \"Write a product description for this item.\"")
        String instruction;

        @Option(names = "--story", description = "The guide's story setting: beam search, 2 beams, 200 tokens.")
        boolean story;

        @Override
        public Integer call() {
            if (instruction == null && !story) {
                throw new IllegalArgumentException("give an INSTRUCTION, or --story");
            }
            ImageSource source = LocalInputs.image(image, "IMAGE");
            try (Idefics idefics = Session.open(model)) {
                String text = story ? idefics.story(source, generation.toMap())
                        : idefics.describe(source, instruction, generation.toMap());
                List<PromptItem> seen = story ? idefics.prompts().story(source)
                        : idefics.prompts().describe(source, instruction, null);
                print(idefics, "describe", seen, Map.of("image", image, "instruction", story ? "story" : instruction, "text", text),
                        text);
            }
            return 0;
        }
    }

}
