package dev.idefics4j.server;

import dev.idefics4j.Idefics;
import dev.idefics4j.tokenizer.Tokenizer;

import io.javalin.http.Context;

import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** What the API routes share: the model, the limits, the batching engine, the request preparer and the metrics. */
record Backend(Idefics idefics, ServerConfig config, String modelName, BatchEngine engine, RequestPreparer preparer,
               Metrics metrics) {

    Tokenizer tokenizer() {
        return idefics.tokenizer();
    }

    /**
     * Admits a request: refused at once when the queue is already full, it is prepared within the limits (its
     * images fetched in download slots and decoded within the memory budget) and only then takes a place in the
     * queue for the running batch (429 when the queue filled meanwhile), so that slow image hosts never hold queue
     * places. A client that hangs up while its images are fetched stops their downloads (freeing their slots) and
     * the request ends cancelled, whatever its preparation then ended with; one that hangs up before its answer is
     * ready has its job cancelled, and it leaves the batch.
     *
     * @param prepare prepares the request given a check of whether its client has left
     */
    Job start(Context client, long arrivalNanos, Function<BooleanSupplier, PreparedRequest> prepare) {
        engine.beginPreparing();
        try {
            ClientHangup hangup = ClientHangup.of(client.req());
            PreparedRequest prepared;
            try {
                prepared = prepare.apply(hangup::gone);
            } catch (RuntimeException e) {
                throw hangup.gone() ? cancelled(e) : e;
            }
            if (hangup.gone()) { // left while its images were fetched: nothing to queue
                throw cancelled(null);
            }
            Job job = new Job(RequestId.of(client), prepared, arrivalNanos, hangup::gone);
            engine.enqueue(job);
            return job;
        } finally {
            engine.endPreparing(); // after enqueue: a drain sees the request preparing or queued, never neither
        }
    }

    private static ApiError cancelled(RuntimeException why) {
        ApiError e = new ApiError(ApiError.Kind.CANCELLED, "the client closed the connection");
        if (why != null) {
            e.addSuppressed(why);
        }
        return e;
    }
}
