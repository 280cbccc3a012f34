package dev.idefics4j.cli;

import dev.idefics4j.ChatSession;
import dev.idefics4j.Idefics;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.request.RequestParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat about images with an instruct model. Each line you type is a turn; words that are image "
                + "paths or http(s) URLs become images. /reset starts over, /quit (or end of input) leaves."})
final class ChatCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    GenerationOptions generation;

    @Override
    public Integer call() throws Exception {
        try (Idefics idefics = Session.open(model)) {
            if (!idefics.isInstruct()) {
                System.err.println("note: this is not an instruct checkpoint; answers may not follow the chat form");
            }
            ChatSession chat = idefics.chat(generation.toMap());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.err.print("you> ");
            for (String line; (line = in.readLine()) != null; System.err.print("you> ")) {
                String trimmed = line.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (trimmed.equals("/quit") || trimmed.equals("/exit")) {
                    break;
                }
                if (trimmed.equals("/reset")) {
                    chat.reset();
                    continue;
                }
                System.out.print("assistant> ");
                try {
                    chat.send(turn(trimmed), text -> {
                        System.out.print(text);
                        System.out.flush();
                    });
                } catch (RuntimeException e) {
                    System.out.print("[error: " + e.getMessage() + "]");
                }
                System.out.println();
            }
        }
        return 0;
    }

    /** Splits a typed line into text and images: a word that is an existing file or an http(s) URL is an image. */
    static List<PromptItem> turn(String line) {
        List<PromptItem> items = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String word : line.split(" ")) {
            String lower = word.toLowerCase(Locale.ROOT);
            boolean url = lower.startsWith("http://") || lower.startsWith("https://");
            if (url || (!word.isEmpty() && Files.isRegularFile(Path.of(word)))) {
                if (!text.isEmpty()) {
                    items.add(PromptItem.text(text.toString().strip()));
                    text.setLength(0);
                }
                items.add(PromptItem.image(RequestParser.imageSource(word, Path.of("").toAbsolutePath())));
            } else {
                text.append(word).append(' ');
            }
        }
        if (!text.toString().isBlank()) {
            items.add(PromptItem.text(text.toString().strip()));
        }
        return items;
    }
}
