package dev.idefics4j.langchain4j;

import dev.idefics4j.Idefics;
import dev.idefics4j.IdeficsOptions;
import dev.idefics4j.image.ImageLimits;
import dev.idefics4j.server.InProcessEngine;
import dev.idefics4j.server.LimitNames;
import dev.idefics4j.server.ServerConfig;
import dev.idefics4j.tensor.quant.Quantization;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What both models are built from: the model (a folder or Hub id to load, or an {@link Idefics} already loaded and
 * shared), how to load it, the default request parameters, and the server's limits and image policy, which apply
 * as they do over HTTP (image URLs reach only public addresses unless {@link #allow} opens a range; local files only
 * inside {@link #mediaDir}).
 *
 * @param <B> the concrete builder
 */
public abstract class IdeficsModelBuilder<B extends IdeficsModelBuilder<B>> {
    /** How refusals name the limits: by this builder's settings. */
    private static final LimitNames NAMES = new LimitNames("the builder", "maxInputTokens(...)",
            "maxTotalTokens(...)", "maxImages(...)");

    private String model;
    private Idefics idefics;
    private String revision;
    private Quantization quantization;
    private Integer threads;
    private Boolean bf16Dot;
    private String modelName;
    private ChatRequestParameters defaultRequestParameters;
    private List<ChatModelListener> listeners = List.of();
    private final ServerConfig.Builder limits = ServerConfig.builder().maxChoices(1);

    IdeficsModelBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The checkpoint to load: a folder or a Hugging Face Hub repo id ({@code HuggingFaceM4/idefics-9b-instruct}). */
    public B model(String folderOrHubId) {
        this.model = folderOrHubId;
        return self();
    }

    public B model(Path folder) {
        return model(folder.toString());
    }

    /** A model already loaded, shared with the rest of the application (closing this model leaves it open). */
    public B idefics(Idefics idefics) {
        this.idefics = idefics;
        return self();
    }

    /** The Hub revision (branch, tag or commit) of {@link #model}; null for main. */
    public B revision(String revision) {
        this.revision = revision;
        return self();
    }

    /** Linear layers quantized while loading (fp4, nf4, int8), as bitsandbytes does. */
    public B quantization(Quantization quantization) {
        this.quantization = quantization;
        return self();
    }

    /** Compute threads; 0 (the default) for all processors. */
    public B threads(int threads) {
        this.threads = threads;
        return self();
    }

    /** Linear-layer products through the CPU's bf16 dot-product instruction (see {@link IdeficsOptions#bf16Dot}). */
    public B bf16Dot(boolean bf16Dot) {
        this.bf16Dot = bf16Dot;
        return self();
    }

    /** The name responses carry; by default the Hub id or the folder's name. */
    public B modelName(String modelName) {
        this.modelName = modelName;
        return self();
    }

    /**
     * Parameters every request starts from (a request's own win); {@link IdeficsChatRequestParameters} for
     * idefics4j's own.
     */
    public B defaultRequestParameters(ChatRequestParameters parameters) {
        this.defaultRequestParameters = parameters;
        return self();
    }

    public B listeners(List<ChatModelListener> listeners) {
        this.listeners = listeners == null ? List.of() : List.copyOf(listeners);
        return self();
    }

    /** Lets image URLs reach an address range (CIDR or one address) that is private, loopback or link-local. */
    public B allow(String cidr) {
        limits.allow(cidr);
        return self();
    }

    /** The folder local images ({@code file:} URLs, relative paths) may be read from; none by default. */
    public B mediaDir(Path folder) {
        limits.mediaDir(folder);
        return self();
    }

    /** Longest prompt, in tokens (each image counts as its tokens); 1024 by default. */
    public B maxInputTokens(int tokens) {
        limits.maxInputTokens(tokens);
        return self();
    }

    /** Longest prompt plus answer; 2048 by default (at most the model's positions). */
    public B maxTotalTokens(int tokens) {
        limits.maxTotalTokens(tokens);
        return self();
    }

    /** Images per request, the conversation's history included; 8 by default. */
    public B maxImages(int images) {
        limits.maxImages(images);
        return self();
    }

    /** Requests decoded together in one step; 8 by default. */
    public B maxBatchSize(int sequences) {
        limits.maxBatchSize(sequences);
        return self();
    }

    /** Requests waiting for the batch before further callers wait for a place; 64 by default. */
    public B maxQueue(int requests) {
        limits.maxQueue(requests);
        return self();
    }

    /** One image's byte and pixel caps, fetch timeouts and redirects. */
    public B imageLimits(ImageLimits imageLimits) {
        limits.images(imageLimits);
        return self();
    }

    /** Longest time one image download may take, redirects included; 30 s by default. */
    public B fetchDeadline(Duration deadline) {
        limits.fetchDeadline(deadline);
        return self();
    }

    /**
     * Loads the model (unless one was given) and starts the engine.
     *
     * @throws IllegalArgumentException when no model or two are given, or loading options come with a loaded model
     */
    IdeficsChat buildChat() {
        if ((model == null) == (idefics == null)) {
            throw new IllegalArgumentException(model == null
                    ? "no model given: set model(\"folder or Hub id\") or idefics(aLoadedModel)"
                    : "both model(\"" + model + "\") and idefics(...) are set; give one");
        }
        ServerConfig config = limits.build();
        IdeficsChatRequestParameters defaults = IdeficsChatRequestParameters.from(
                defaultRequestParameters == null ? IdeficsChatRequestParameters.EMPTY : defaultRequestParameters);
        GenerationSettings.of(defaults); // refuse unsupported defaults now rather than at every request
        if (idefics != null) {
            if (revision != null || quantization != null || threads != null || bf16Dot != null) {
                throw new IllegalArgumentException("revision, quantization, threads and bf16Dot apply when the "
                        + "builder loads the model; the model given to idefics(...) is already loaded");
            }
            String name = modelName != null ? modelName : idefics.dir().getFileName().toString();
            return new IdeficsChat(new InProcessEngine(idefics, config, NAMES), false, name, defaults, listeners);
        }
        IdeficsOptions options = IdeficsOptions.of(model).withRevision(revision)
                .withQuantization(quantization).withThreads(threads == null ? 0 : threads)
                .withBf16Dot(bf16Dot != null && bf16Dot);
        Idefics loaded = Idefics.load(options);
        try {
            String name = modelName != null ? modelName
                    : Files.isDirectory(Path.of(model)) ? Path.of(model).toAbsolutePath().normalize().getFileName()
                    .toString() : model;
            return new IdeficsChat(new InProcessEngine(loaded, config, NAMES), true, name, defaults, listeners);
        } catch (RuntimeException | Error e) {
            loaded.close();
            throw e;
        }
    }
}
