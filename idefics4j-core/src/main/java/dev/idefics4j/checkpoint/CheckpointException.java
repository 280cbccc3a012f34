package dev.idefics4j.checkpoint;

/** A checkpoint file or configuration that cannot be used; the message names the file, tensor or field. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
