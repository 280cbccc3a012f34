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
     * Admits a request: takes a place in the queue first (429 when full, before any image is fetched), prepares it
     * within the limits, and queues it for the running batch. Should the client hang up before its answer is
     * ready, the job is cancelled and leaves the batch.
     */
    Job start(Context client, long arrivalNanos, Supplier<PreparedRequest> prepare) {
        engine.reserve();
        ClientHangup hangup = ClientHangup.of(client.req());
        PreparedRequest prepared;
        try {
            prepared = prepare.get();
            if (hangup.gone()) { // left while its images were fetched: nothing to queue
                throw new ApiError(ApiError.Kind.CANCELLED, "the client closed the connection");
            }
        } catch (RuntimeException | Error e) {
            engine.release();
            throw e;
        }
        Job job = new Job(RequestId.of(client), prepared, arrivalNanos, hangup::gone);
        engine.submit(job);
        return job;
    }
}
