package dev.idefics4j.image;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects a response body one piece at a time and cancels the download as soon as it passes the byte cap, so an
 * oversized or endless body is never read in full. Each piece stamps {@code lastActivity} for the read timeout.
 */
final class CappedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {
    /** Thrown inside the body future when the cap is passed. */
    static final class TooLargeException extends RuntimeException {
        final long bytesSeen;

        TooLargeException(long bytesSeen) {
            super(null, null, false, false);
            this.bytesSeen = bytesSeen;
        }
    }

    private final long cap;
    private final boolean discard;
    private final AtomicLong lastActivity;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    /** With {@code discard} the body is not wanted (redirects, errors): the download is cancelled at once. */
    CappedBodySubscriber(long cap, boolean discard, AtomicLong lastActivity) {
        this.cap = cap;
        this.discard = discard;
        this.lastActivity = lastActivity;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (discard) {
            s.cancel();
            result.complete(new byte[0]);
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        lastActivity.set(System.nanoTime());
        for (ByteBuffer buffer : buffers) {
            if (result.isDone()) {
                return;
            }
            long total = (long) body.size() + buffer.remaining();
            if (total > cap) {
                subscription.cancel();
                result.completeExceptionally(new TooLargeException(total));
                return;
            }
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            body.writeBytes(chunk);
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        result.complete(body.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }
}
