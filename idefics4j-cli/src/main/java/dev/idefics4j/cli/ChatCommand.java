package dev.idefics4j.cli;

import dev.idefics4j.Idefics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat about images with an instruct model. Each line you type is a turn; words that are image "
                + "paths or http(s) URLs become images. /help lists the commands, /reset starts over, /quit (or "
                + "Ctrl-D) leaves. On a terminal the arrow keys edit and recall lines."})
final class ChatCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    GenerationOptions generation;

    @Override
    public Integer call() throws Exception {
        try (Idefics idefics = Session.open(model);
             ChatRepl.Lines lines = ChatLines.open(BundledModels.cacheRoot().resolve("chat-history"), System.err)) {
            System.err.println(banner(idefics));
            new ChatRepl(lines, System.out, System.err, idefics.chat(generation.toMap()), Path.of("").toAbsolutePath())
                    .run();
        }
        return 0;
    }

    private String banner(Idefics idefics) {
        String name = model.model == null ? "the bundled tiny model (random weights: its answers are noise)"
                : model.model;
        return "idefics4j chat with " + name + (idefics.isInstruct() ? ""
                : "\nnote: this is not an instruct checkpoint; answers may not follow the chat form")
                + "\nType a turn; a word that is an image file or an http(s) URL becomes an image. /help for more, "
                + "Ctrl-D to leave.";
    }
}
