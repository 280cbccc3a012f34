package dev.idefics4j.spark;

import dev.idefics4j.Idefics;
import dev.idefics4j.Labels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Answers the rows of a partition: it takes them a chunk at a time (so memory stays bounded however large the
 * partition), groups the requests that share settings into left-padded batches of at most {@code batchSize}, and
 * emits one result per row in input order. A row that cannot be answered gets its error; the others go on.
 */
final class PartitionRunner {
    /** Rows looked at together when forming batches: a few batches' worth, so that mixed inputs still fill them. */
    private static final int CHUNK_BATCHES = 8;

    private final Idefics idefics;
    private final Path baseDir;
    private final int batchSize;

    PartitionRunner(Idefics idefics, Path baseDir, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.idefics = idefics;
        this.baseDir = baseDir;
        this.batchSize = batchSize;
    }

    /** The results of {@code rows}, computed lazily chunk by chunk as the caller consumes them. */
    Iterator<RequestResult> run(Iterator<RequestRow> rows) {
        int chunkSize = Math.max(64, batchSize * CHUNK_BATCHES);
        return new Iterator<>() {
            private Iterator<RequestResult> current = List.<RequestResult>of().iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && rows.hasNext()) {
                    List<RequestRow> chunk = new ArrayList<>(chunkSize);
                    while (chunk.size() < chunkSize && rows.hasNext()) {
                        chunk.add(rows.next());
                    }
                    current = answer(chunk).iterator();
                }
                return current.hasNext();
            }

            @Override
            public RequestResult next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /** One result per row, in order. */
    List<RequestResult> answer(List<RequestRow> rows) {
        RequestResult[] out = new RequestResult[rows.size()];
        PreparedRequest[] prepared = new PreparedRequest[rows.size()];
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            RequestRow row = rows.get(i);
            try {
                PreparedRequest p = PreparedRequest.of(row, idefics, baseDir);
                prepared[i] = p;
                if (p.ranked()) {
                    out[i] = RequestResult.ranked(row, idefics.rank(p.image(), p.labels()));
                } else {
                    groups.computeIfAbsent(p.batchable() ? p.batchKey() : "alone#" + i, k -> new ArrayList<>()).add(i);
                }
            } catch (RuntimeException e) {
                out[i] = RequestResult.failed(row, row.task(), e);
            }
        }
        for (List<Integer> group : groups.values()) {
            for (int from = 0; from < group.size(); from += batchSize) {
                List<Integer> members = group.subList(from, Math.min(group.size(), from + batchSize));
                List<RequestResult> results = BatchGeneration.run(idefics,
                        members.stream().map(i -> prepared[i]).toList());
                for (int k = 0; k < members.size(); k++) {
                    int i = members.get(k);
                    out[i] = prepared[i].task() == Task.CLASSIFY ? label(prepared[i], results.get(k)) : results.get(k);
                }
            }
        }
        return Arrays.asList(out);
    }

    /** The facade's rule: the label the answer names, else the best-ranked one. */
    private RequestResult label(PreparedRequest p, RequestResult generated) {
        if (generated.error() != null) {
            return generated;
        }
        try {
            String label = Labels.match(generated.answer(), p.labels())
                    .orElseGet(() -> idefics.rank(p.image(), p.labels()).getFirst().label());
            return generated.withLabel(label);
        } catch (RuntimeException e) {
            return RequestResult.failed(p.row(), p.task().label(), e);
        }
    }
}
