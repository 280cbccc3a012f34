package dev.idefics4j.server;

import dev.idefics4j.Idefics;
import dev.idefics4j.tokenizer.Tokenizer;

import io.javalin.http.Context;

import java.util.function.Supplier;

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
     * places. Should the client hang up before its answer is ready, the job is cancelled and leaves the batch.
     */
    Job start(Context client, long arrivalNanos, Supplier<PreparedRequest> prepare) {
        engine.beginPreparing();
        try {
            ClientHangup hangup = ClientHangup.of(client.req());
            PreparedRequest prepared = prepare.get();
            if (hangup.gone()) { // left while its images were fetched: nothing to queue
                throw new ApiError(ApiError.Kind.CANCELLED, "the client closed the connection");
            }
            Job job = new Job(RequestId.of(client), prepared, arrivalNanos, hangup::gone);
            engine.enqueue(job);
            return job;
        } finally {
            engine.endPreparing(); // after enqueue: a drain sees the request preparing or queued, never neither
        }
    }
}
