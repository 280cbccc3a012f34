package dev.idefics4j.server;

import dev.idefics4j.image.ImageLimits;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the server runs and what one request may cost. Every limit is enforced before the work it bounds: the body
 * size while reading it, the image count before fetching any image, the download limit before a download starts, the
 * image byte cap while downloading, the pixel cap and the decode memory budget from the image header, the token
 * limits before the request joins the queue.
 *
 * @param host            address to listen on
 * @param port            port to listen on; 0 picks a free one
 * @param apiKey          when set, every route but /health wants {@code Authorization: Bearer <key>}
 * @param modelName       the model id that /v1/models lists and responses name; null: the checkpoint folder's name
 * @param maxInputTokens  longest prompt, in tokens (images count as their tokens)
 * @param maxTotalTokens  longest prompt plus generation; the default max_new_tokens is what is left
 * @param maxImages       images per request, the conversation's history included
 * @param maxRequestBytes largest request body
 * @param maxChoices      largest {@code n} (sequences per request)
 * @param maxBatchSize    sequences decoded together in the running batch
 * @param maxQueue        requests prepared and waiting for the batch, and apart from them requests waiting for an
 *                        image thread; more are answered 429
 * @param images          per-image byte cap (while reading), pixel cap (from the header), fetch timeouts, redirects
 * @param maxDecodeBytes  memory all requests' image decodes may hold at once (each reserves its peak from the image
 *                        header; its request keeps the RGB image's bytes until its images are processed)
 * @param fetchDeadline   longest time one image download may take, redirects included
 * @param maxFetches      image downloads in flight across all requests
 * @param allowlist       address ranges that may be fetched from although private, loopback or link-local
 * @param mediaDir        the folder local image files may be read from; null refuses local files
 * @param drainTimeout    how long shutdown waits for running and queued requests
 * @param resolver        host name resolution for image URLs (tests pin names to addresses)
 * @param ui              whether {@code GET /} serves the chat page (else only the API answers)
 */
public record ServerConfig(String host, int port, String apiKey, String modelName, int maxInputTokens,
                           int maxTotalTokens, int maxImages, long maxRequestBytes, int maxChoices, int maxBatchSize,
                           int maxQueue, ImageLimits images, long maxDecodeBytes, Duration fetchDeadline,
                           int maxFetches, List<Cidr> allowlist,
                           Path mediaDir, Duration drainTimeout, GuardedFetcher.HostResolver resolver,
                           boolean ui) {

    /**
     * Characters of prompt text allowed per input token, checked before tokenizing: no vocabulary piece of the
     * served families is longer, so a prompt refused by it would have been refused for its tokens anyway, only
     * later and at the tokenizer's cost.
     */
    public static final int MAX_CHARS_PER_TOKEN = 64;

    public static final ImageLimits DEFAULT_IMAGE_LIMITS = new ImageLimits(16L << 20, ImageLimits.PILLOW_MAX_PIXELS,
            Duration.ofSeconds(5), Duration.ofSeconds(10), 3);

    public ServerConfig {
        requirePositive("maxInputTokens", maxInputTokens);
        requirePositive("maxTotalTokens", maxTotalTokens);
        requirePositive("maxRequestBytes", maxRequestBytes);
        requirePositive("maxChoices", maxChoices);
        requirePositive("maxBatchSize", maxBatchSize);
        requirePositive("maxQueue", maxQueue);
        requirePositive("maxDecodeBytes", maxDecodeBytes);
        requirePositive("maxFetches", maxFetches);
        if (maxImages < 0) {
            throw new IllegalArgumentException("maxImages must not be negative, got " + maxImages);
        }
        if (maxTotalTokens <= maxInputTokens) {
            throw new IllegalArgumentException("maxTotalTokens (" + maxTotalTokens + ") must exceed maxInputTokens ("
                    + maxInputTokens + ") to leave room for new tokens");
        }
        if (maxChoices > maxBatchSize) {
            throw new IllegalArgumentException("maxChoices (" + maxChoices + ") cannot exceed maxBatchSize ("
                    + maxBatchSize + "): a request's sequences run in one batch");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        allowlist = List.copyOf(allowlist);
    }

    /** The most characters of text a prompt may have, the conversation's history included. */
    public long maxInputChars() {
        return (long) maxInputTokens * MAX_CHARS_PER_TOKEN;
    }

    private static void requirePositive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /**
     * Half the most heap this JVM may take: decoded images live on the heap (and in native buffers beside it), and the
     * model's activations and caches need the rest.
     */
    public static long defaultMaxDecodeBytes() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Defaults: 127.0.0.1:8080, TGI's token limits (1024 in, 2048 in all), 8 images, 32 MiB bodies, half the heap
     * for decoding images, 32 downloads at once.
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private String apiKey;
        private String modelName;
        private int maxInputTokens = 1024;
        private int maxTotalTokens = 2048;
        private int maxImages = 8;
        private long maxRequestBytes = 32L << 20;
        private int maxChoices = 4;
        private int maxBatchSize = 8;
        private int maxQueue = 64;
        private ImageLimits images = DEFAULT_IMAGE_LIMITS;
        private long maxDecodeBytes = defaultMaxDecodeBytes();
        private Duration fetchDeadline = Duration.ofSeconds(30);
        private int maxFetches = 32;
        private final List<Cidr> allowlist = new ArrayList<>();
        private Path mediaDir;
        private Duration drainTimeout = Duration.ofSeconds(30);
        private GuardedFetcher.HostResolver resolver = InetAddress::getAllByName;
        private boolean ui = true;

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder apiKey(String v) {
            apiKey = v == null || v.isEmpty() ? null : v;
            return this;
        }

        public Builder modelName(String v) {
            modelName = v;
            return this;
        }

        public Builder maxInputTokens(int v) {
            maxInputTokens = v;
            return this;
        }

        public Builder maxTotalTokens(int v) {
            maxTotalTokens = v;
            return this;
        }

        public Builder maxImages(int v) {
            maxImages = v;
            return this;
        }

        public Builder maxRequestBytes(long v) {
            maxRequestBytes = v;
            return this;
        }

        public Builder maxChoices(int v) {
            maxChoices = v;
            return this;
        }

        public Builder maxBatchSize(int v) {
            maxBatchSize = v;
            return this;
        }

        public Builder maxQueue(int v) {
            maxQueue = v;
            return this;
        }

        public Builder images(ImageLimits v) {
            images = v;
            return this;
        }

        public Builder maxDecodeBytes(long v) {
            maxDecodeBytes = v;
            return this;
        }

        public Builder fetchDeadline(Duration v) {
            fetchDeadline = v;
            return this;
        }

        public Builder maxFetches(int v) {
            maxFetches = v;
            return this;
        }

        /** Opens an address range (CIDR or single address) to image fetches. */
        public Builder allow(String cidr) {
            allowlist.add(Cidr.parse(cidr));
            return this;
        }

        public Builder mediaDir(Path v) {
            mediaDir = v;
            return this;
        }

        public Builder drainTimeout(Duration v) {
            drainTimeout = v;
            return this;
        }

        public Builder resolver(GuardedFetcher.HostResolver v) {
            resolver = v;
            return this;
        }

        public Builder ui(boolean v) {
            ui = v;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(host, port, apiKey, modelName, maxInputTokens, maxTotalTokens, maxImages,
                    maxRequestBytes, maxChoices, maxBatchSize, maxQueue, images, maxDecodeBytes, fetchDeadline,
                    maxFetches, allowlist, mediaDir, drainTimeout, resolver, ui);
        }
    }
}
