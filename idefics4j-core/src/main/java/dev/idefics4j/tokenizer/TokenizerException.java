package dev.idefics4j.tokenizer;

/** A tokenizer file that is missing, corrupt or uses an unsupported option; the message names the file and the problem. */
public class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
