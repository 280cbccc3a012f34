package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.request.RequestParser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks the local files a command was given before it resolves its model: a missing image should be reported at
 * once, not after a checkpoint of many gigabytes was downloaded or loaded.
 */
final class LocalInputs {
    private LocalInputs() {
    }

    /** An image argument (path, http(s) or data: URL); a path must name a readable file. */
    static ImageSource image(String value, String what) {
        ImageSource source = TaskCommands.Common.image(value);
        requireReadable(source, what + " " + value);
        return source;
    }

    /** Every image file of a JSON request's prompts ({@code prompts} or {@code prompt}) must be readable. */
    static void checkRequest(JsonNode request, Path baseDir) {
        List<List<PromptItem>> prompts = RequestParser.prompts(request, baseDir);
        for (int i = 0; i < prompts.size(); i++) {
            List<PromptItem> prompt = prompts.get(i);
            for (int j = 0; j < prompt.size(); j++) {
                if (prompt.get(j) instanceof PromptItem.Image(ImageSource source)) {
                    requireReadable(source, (request.has("prompts") ? "prompts[" + i + "]" : "prompt") + "[" + j + "]");
                }
            }
        }
    }

    private static void requireReadable(ImageSource source, String what) {
        if (source instanceof ImageSource.File(Path path) && !(Files.isRegularFile(path) && Files.isReadable(path))) {
            String problem = !Files.exists(path) ? "no such file " : Files.isDirectory(path) ? "is a directory: "
                    : !Files.isRegularFile(path) ? "not a regular file (a FIFO, socket or device): " : "cannot read ";
            throw new IllegalArgumentException(what + ": " + problem + path);
        }
    }
}
