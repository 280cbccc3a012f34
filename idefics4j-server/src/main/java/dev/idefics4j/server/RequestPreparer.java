package dev.idefics4j.server;

import dev.idefics4j.Idefics;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.image.ImageLoadException;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.processor.Urls;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Turns a request's prompt parts and parameters into a {@link PreparedRequest}, checking each limit before the work
 * it bounds: the image count before any image is fetched, then the images (all downloaded first, each in a download
 * slot, then decoded within their caps and the decode memory budget, which holds each decoded image until the prompt
 * is processed, on the {@link ImageWork} threads), then the
 * prompt's tokens against the input limit and the requested new tokens against the total. Both API families share
 * it; they differ only in how they name things.
 */
final class RequestPreparer {
    /**
     * Truncation at no length: the processor then leaves its own limit (the tokenizer's model_max_length) to the
     * server, which counts the prompt and names its own limits, the ones an HTTP client meets.
     */
    private static final ProcessorOptions OPTIONS = ProcessorOptions.DEFAULTS.withAddEndOfUtteranceToken(false)
            .withTruncation(true).withMaxLength(Integer.MAX_VALUE);

    private final Idefics idefics;
    private final ServerConfig config;
    private final LimitNames names;
    private final ImageResolver images;
    private final DecodeBudget decodeBudget;
    private final ImageWork imageWork;
    private final GenerationConfig base;
    private final int maxTotalTokens;

    /**
     * A preparer whose images go through the configured guards: the byte and pixel caps, the download limit, the
     * address policy with its allowlist for URLs, the media folder for local files, and the decode memory budget.
     */
    static RequestPreparer guarded(Idefics idefics, ServerConfig config, LimitNames names, ImageLoader decoder) {
        return new RequestPreparer(idefics, config, names, new ImageResolver(decoder, new GuardedFetcher(
                config.images(), new AddressPolicy(config.allowlist()), config.resolver(), config.fetchDeadline()),
                new FetchSlots(config.maxFetches(), names), config.mediaDir()));
    }

    RequestPreparer(Idefics idefics, ServerConfig config, LimitNames names, ImageResolver images) {
        this.idefics = idefics;
        this.config = config;
        this.names = names;
        this.images = images;
        this.decodeBudget = new DecodeBudget(config.maxDecodeBytes(), names);
        this.imageWork = new ImageWork(config.maxQueue());
        // Instruct checkpoints stop at <end_of_utterance> as well as </s>; both ban the image tokens.
        this.base = idefics.isInstruct() ? idefics.chatConfig() : idefics.guideConfig();
        this.maxTotalTokens = Math.min(config.maxTotalTokens(),
                idefics.model().maxPositionEmbeddings());
    }

    /**
     * A conversation as the served checkpoint's prompt: the one place both {@code /v1/chat/completions} and
     * in-process callers ({@link InProcessEngine}) get it from, so that they give the model the same tokens.
     */
    List<PromptPart> chatPrompt(List<ChatPrompt.Message> messages) {
        return idefics.chatTemplate()
                .map(t -> TemplateChatPrompt.of(messages, t, idefics.tokenizer().specialTokens()))
                .orElseGet(() -> ChatPrompt.of(messages));
    }

    /**
     * @param parameters    generation parameters by the reference's names (do_sample, temperature, stop, ...)
     * @param maxNewTokens  what the request asked for; null: everything the total limit leaves
     * @param maxNewParam   the request's name for it, for error messages
     * @param promptParam   the request's name for the prompt, for error messages
     * @param clientGone    whether the client has left: its image downloads stop then
     */
    PreparedRequest prepare(List<PromptPart> parts, Map<String, Object> parameters, Integer maxNewTokens,
                            String maxNewParam, String promptParam, boolean logprobs, BooleanSupplier clientGone) {
        long chars = parts.stream().mapToLong(p -> p instanceof PromptPart.Text(String t) ? t.length() : 0).sum();
        if (chars > config.maxInputChars()) {
            throw ApiError.invalid(promptParam, "the prompt's text has " + chars + " characters, more than this "
                    + "server's limit of " + config.maxInputTokens() + " input tokens (its --max-input-tokens) "
                    + "allows at " + ServerConfig.MAX_CHARS_PER_TOKEN + " characters a token (" + config.maxInputChars()
                    + "), checked before tokenizing; shorten the prompt");
        }
        List<PromptPart> normalized = imagesFromUrlText(parts);
        long imageCount = normalized.stream().filter(p -> p instanceof PromptPart.Image).count();
        if (imageCount > config.maxImages()) {
            throw ApiError.invalid(promptParam, "the request has " + imageCount + " images, more than the limit of "
                    + config.maxImages() + " per request (the conversation's history included; "
                    + names.maxImages() + "); send fewer images");
        }
        List<PromptItem> items = new ArrayList<>(normalized.size());
        ModelInputs inputs;
        try {
            List<ImageResolver.Fetched> fetched = new ArrayList<>();
            for (PromptPart part : normalized) {
                if (part instanceof PromptPart.Image i) {
                    fetched.add(images.fetch(i.reference(), clientGone));
                }
            }
            // Decoded once every download is done, so that a slow image host never holds decode memory; the decoded
            // images stay in the budget until the processor has turned them into the model's inputs.
            Callable<ModelInputs> decodeAndProcess = () -> {
                Iterator<ImageResolver.Fetched> next = fetched.iterator();
                try (DecodeBudget.Account memory = decodeBudget.account()) {
                    for (PromptPart part : normalized) {
                        items.add(switch (part) {
                            case PromptPart.Text t -> PromptItem.text(t.text());
                            case PromptPart.Image i -> images.decode(next.next(), memory);
                        });
                    }
                    return idefics.processor().process(List.of(items), OPTIONS);
                }
            };
            inputs = fetched.isEmpty() ? decodeAndProcess.call() : imageWork.run(decodeAndProcess);
        } catch (DecodeBudget.Refusal e) {
            throw e.error(promptParam);
        } catch (ImageLoadException e) {
            throw ApiError.invalid(promptParam, "cannot use an image: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(promptParam, e.getMessage());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // Callable.call's checked exceptions: the work throws none
        }
        int promptTokens = inputs.sequenceLength();
        if (promptTokens > config.maxInputTokens()) {
            throw ApiError.invalid(promptParam, "the prompt has " + promptTokens + " tokens (each image counts as "
                    + "its tokens), more than " + names.holder() + "'s limit of " + config.maxInputTokens()
                    + " input tokens (its " + names.maxInputTokens() + "); shorten the prompt or send fewer images");
        }
        if (promptTokens >= maxTotalTokens) {
            throw ApiError.invalid(promptParam, "the prompt has " + promptTokens + " tokens (each image counts as "
                    + "its tokens), which leaves no room for new tokens within the limit of " + maxTotalTokens
                    + " for prompt plus generation (" + totalLimitName() + "); shorten the prompt or send fewer "
                    + "images");
        }
        int room = maxTotalTokens - promptTokens;
        if (maxNewTokens != null && maxNewTokens < 1) {
            throw ApiError.invalid(maxNewParam, maxNewParam + " must be at least 1, got " + maxNewTokens);
        }
        if (maxNewTokens != null && maxNewTokens > room) {
            throw ApiError.invalid(maxNewParam, maxNewParam + " is " + maxNewTokens + " but the prompt has "
                    + promptTokens + " tokens and the limit for prompt plus generation is " + maxTotalTokens
                    + " (" + totalLimitName() + "); ask for at most " + room);
        }
        Map<String, Object> overrides = new LinkedHashMap<>(parameters);
        overrides.put("max_new_tokens", maxNewTokens == null ? room : maxNewTokens);
        Long seed = null;
        if (Boolean.TRUE.equals(overrides.get("do_sample"))) {
            if (overrides.get("seed") == null) {
                overrides.put("seed", ThreadLocalRandom.current().nextLong(Long.MAX_VALUE));
            }
            seed = ((Number) overrides.get("seed")).longValue();
        }
        GenerationConfig generation;
        try {
            generation = base.withOverrides(overrides);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(null, e.getMessage());
        }
        return new PreparedRequest(inputs, generation, promptTokens, seed, logprobs);
    }

    DecodeBudget decodeBudget() {
        return decodeBudget;
    }

    /** Bytes the decode memory budget lends now (the {@code idefics4j_decode_bytes} gauge). */
    long decodeBytesHeld() {
        return decodeBudget.used();
    }

    /** Image downloads in flight now (the {@code idefics4j_image_fetches} gauge). */
    int fetchesInFlight() {
        return images.fetchesInFlight();
    }

    /** Where the total limit comes from: the configured limit, or the model's positions when they are fewer. */
    private String totalLimitName() {
        return maxTotalTokens < config.maxTotalTokens() ? "the model's max_position_embeddings"
                : names.holder() + "'s " + names.maxTotalTokens();
    }

    private static List<PromptPart> imagesFromUrlText(List<PromptPart> parts) {
        List<PromptPart> out = new ArrayList<>(parts.size());
        for (PromptPart part : parts) {
            if (part instanceof PromptPart.Text(String text) && Urls.isUrl(Urls.stripSpaces(text))) {
                out.add(new PromptPart.Image(Urls.stripSpaces(text)));
            } else {
                out.add(part);
            }
        }
        return out;
    }
}
