package dev.idefics4j.processor;

import dev.idefics4j.image.ImageLoadException;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessorBehaviourTest {
    private final IdeficsProcessor instruct = IdeficsProcessor.fromCheckpoint(TestData.model("tiny"), new ImageLoader());
    private final IdeficsProcessor base = IdeficsProcessor.fromCheckpoint(TestData.model("tiny-noresampler"),
            new ImageLoader());

    @Test
    void endOfUtteranceDefaultFollowsTheTokenizer() {
        assertTrue(instruct.instruct());
        assertFalse(base.instruct());
        List<PromptItem> p = List.of(PromptItem.text("a"), PromptItem.text("b"));
        assertEquals("<s>a<end_of_utterance>b", instruct.process(p).promptStrings().get(0));
        assertEquals("<s>ab", base.process(p).promptStrings().get(0));
    }

    @Test
    void urlDetectionFollowsTheReference() {
        assertTrue(Urls.isUrl("https://example.com/cat.png"));
        assertTrue(Urls.isUrl("http://127.0.0.1:8080/x"));
        assertFalse(Urls.isUrl("https://example.com/a cat.png"), "a space makes it text");
        assertFalse(Urls.isUrl("User: http://x"), "text around it makes it text");
        assertFalse(Urls.isUrl("data:image/png;base64,AAAA"), "no host");
        assertFalse(Urls.isUrl("Assistant:"));
        assertFalse(Urls.isUrl("file:///tmp/x.png"), "empty host");
    }

    @Test
    void unreachableUrlInAPromptIsAClearError() {
        // Port 9 on loopback: nothing listens there, so the fetch fails at once.
        ImageLoadException e = assertThrows(ImageLoadException.class,
                () -> instruct.process(List.of(PromptItem.text("User:"), PromptItem.text("http://127.0.0.1:9/cat.png"))));
        assertTrue(e.getMessage().contains("http://127.0.0.1:9/cat.png"), e.getMessage());
    }

    @Test
    void nonHttpUrlIsRefused() {
        ImageLoadException e = assertThrows(ImageLoadException.class,
                () -> instruct.process(List.of(PromptItem.text("ftp://example.com/cat.png"))));
        assertTrue(e.getMessage().contains("only http and https"), e.getMessage());
    }

    @Test
    void promptLongerThanTheModelAllowsIsRejected() {
        String longText = "word ".repeat(3000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> instruct.process(List.of(PromptItem.text(longText))));
        assertTrue(e.getMessage().contains("model_max_length") && e.getMessage().contains("2048"), e.getMessage());
        ModelInputs cut = instruct.process(List.of(List.of(PromptItem.text(longText))),
                ProcessorOptions.DEFAULTS.withTruncation(true).withMaxLength(100));
        assertEquals(100, cut.sequenceLength());
        ModelInputs atModelMax = instruct.process(List.of(List.of(PromptItem.text(longText))),
                ProcessorOptions.DEFAULTS.withTruncation(true));
        assertEquals(2048, atModelMax.sequenceLength());
    }

    @Test
    void truncationDropsImagesWhoseTokensWereCut() {
        ModelInputs in = instruct.process(List.of(List.of(PromptItem.text("a b c d e f g h"),
                        PromptItem.image(TestData.fixture("images/cat_small_20x16.png").toString()))),
                ProcessorOptions.DEFAULTS.withTruncation(true).withMaxLength(5));
        assertEquals(0, in.images().imagesPerRow()[0]);
        assertTrue(in.imageSources().get(0).isEmpty());
    }

    @Test
    void textOnlyBatchHasNoImages() {
        ModelInputs in = instruct.process(List.of(List.of(PromptItem.text("Hi")), List.of(PromptItem.text("Hello there"))),
                ProcessorOptions.DEFAULTS);
        assertFalse(in.hasImages());
        assertEquals(1, ((IdeficsImageInputs) in.images()).maxImages());
        assertEquals(0, in.inputIds()[0][0], "left padding with the pad id");
    }

    @Test
    void optionsThatContradictEachOtherAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> ProcessorOptions.DEFAULTS.withPadding(dev.idefics4j.tokenizer.Padding.MAX_LENGTH));
        assertThrows(IllegalArgumentException.class, () -> ProcessorOptions.parsePadding("sideways"));
    }
}
