package dev.idefics4j.server;

/**
 * How refusals name the limits a request broke, so that the message points at the setting to change: the server's
 * command-line options, or the settings of an in-process caller's builder.
 *
 * @param holder         whose limits they are ("this server"), written before {@code 's}
 * @param maxInputTokens the setting of {@link ServerConfig#maxInputTokens()}
 * @param maxTotalTokens the setting of {@link ServerConfig#maxTotalTokens()}
 * @param maxImages      the setting of {@link ServerConfig#maxImages()}
 * @param maxDecodeBytes the setting of {@link ServerConfig#maxDecodeBytes()}
 * @param maxFetches     the setting of {@link ServerConfig#maxFetches()}
 */
public record LimitNames(String holder, String maxInputTokens, String maxTotalTokens, String maxImages,
                         String maxDecodeBytes, String maxFetches) {
    /** The server's options. */
    public static final LimitNames SERVER = new LimitNames("this server", "--max-input-tokens", "--max-total-tokens",
            "--max-images", "--max-decode-bytes", "--max-fetches");

    /**
     * A caller that names the token and image limits alone: the decode budget and the download limit are named as
     * {@link ServerConfig}'s settings.
     */
    public LimitNames(String holder, String maxInputTokens, String maxTotalTokens, String maxImages) {
        this(holder, maxInputTokens, maxTotalTokens, maxImages, "ServerConfig.maxDecodeBytes",
                "ServerConfig.maxFetches");
    }
}
