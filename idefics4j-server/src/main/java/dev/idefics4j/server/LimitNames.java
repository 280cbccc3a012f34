package dev.idefics4j.server;

/**
 * How refusals name the limits a request broke, so that the message points at the setting to change: the server's
 * command-line options, or the settings of an in-process caller's builder.
 *
 * @param holder         whose limits they are ("this server"), written before {@code 's}
 * @param maxInputTokens the setting of {@link ServerConfig#maxInputTokens()}
 * @param maxTotalTokens the setting of {@link ServerConfig#maxTotalTokens()}
 * @param maxImages      the setting of {@link ServerConfig#maxImages()}
 */
public record LimitNames(String holder, String maxInputTokens, String maxTotalTokens, String maxImages) {
    /** The server's options. */
    public static final LimitNames SERVER = new LimitNames("this server", "--max-input-tokens", "--max-total-tokens",
            "--max-images");
}
