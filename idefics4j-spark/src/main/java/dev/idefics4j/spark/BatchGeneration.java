package dev.idefics4j.spark;

import dev.idefics4j.Completion;
import dev.idefics4j.Idefics;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.Processor;
import dev.idefics4j.processor.PromptItem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs requests that share their settings as one left-padded {@code generate} call, and gives each request what it
 * gets alone: its sequences are cut out of the batch without the extra left padding and the trailing padding that
 * the other requests caused. (Greedy search produces the same tokens for a row batched or alone; that is the
 * generation layer's guarantee, and {@link PreparedRequest#batchable()} admits only what it covers.)
 */
final class BatchGeneration {
    private BatchGeneration() {
    }

    /**
     * One result per request, in order. Images are decoded first, so an unreadable one fails its own request only;
     * if the batch as a whole fails, each request runs alone so that the failure lands on the one that causes it.
     */
    static List<RequestResult> run(Idefics idefics, List<PreparedRequest> batch) {
        RequestResult[] out = new RequestResult[batch.size()];
        List<Integer> ready = new ArrayList<>();
        List<List<List<PromptItem>>> decoded = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            try {
                decoded.add(decode(idefics, batch.get(i).prompts()));
                ready.add(i);
            } catch (RuntimeException e) {
                out[i] = RequestResult.failed(batch.get(i).row(), batch.get(i).task().label(), e);
            }
        }
        try {
            List<List<SequenceResult>> sequences = generate(idefics, pick(batch, ready), decoded);
            for (int k = 0; k < ready.size(); k++) {
                PreparedRequest p = batch.get(ready.get(k));
                out[ready.get(k)] = RequestResult.generated(p.row(), p.task(), sequences.get(k));
            }
        } catch (RuntimeException e) {
            for (int k = 0; k < ready.size(); k++) {
                PreparedRequest p = batch.get(ready.get(k));
                try {
                    out[ready.get(k)] = ready.size() == 1 ? RequestResult.failed(p.row(), p.task().label(), e)
                            : RequestResult.generated(p.row(), p.task(),
                            generate(idefics, List.of(p), List.of(decoded.get(k))).getFirst());
                } catch (RuntimeException alone) {
                    out[ready.get(k)] = RequestResult.failed(p.row(), p.task().label(), alone);
                }
            }
        }
        return Arrays.asList(out);
    }

    /** The prompts with every image loaded and decoded (the processor takes decoded images as they are). */
    private static List<List<PromptItem>> decode(Idefics idefics, List<List<PromptItem>> prompts) {
        List<List<PromptItem>> out = new ArrayList<>(prompts.size());
        for (List<PromptItem> prompt : prompts) {
            List<PromptItem> items = new ArrayList<>(prompt.size());
            for (PromptItem item : prompt) {
                items.add(item instanceof PromptItem.Image(var source)
                        ? new PromptItem.Decoded(idefics.processor().imageLoader().load(source), source.description())
                        : item);
            }
            out.add(items);
        }
        return out;
    }

    /** The sequences of each request (prompt by prompt, then by return sequence), as each would get them alone. */
    private static List<List<SequenceResult>> generate(Idefics idefics, List<PreparedRequest> requests,
                                                       List<List<List<PromptItem>>> prompts) {
        if (requests.isEmpty()) {
            return List.of();
        }
        List<List<PromptItem>> all = new ArrayList<>();
        prompts.forEach(all::addAll);
        PreparedRequest lead = requests.getFirst();
        ModelInputs in = idefics.processor().process(all, lead.processorOptions());
        List<Completion> completions = idefics.generate(in, lead.config(), null);
        int perPrompt = completions.size() / all.size();
        int length = in.sequenceLength();
        Processor processor = idefics.processor();
        List<List<SequenceResult>> out = new ArrayList<>();
        int first = 0;
        for (List<List<PromptItem>> own : prompts) {
            List<Completion> mine = completions.subList(first * perPrompt, (first + own.size()) * perPrompt);
            // Alone, a request is padded to its longest prompt and runs until its last sequence finishes.
            int promptWidth = requests.size() == 1 ? length : 0;
            int newWidth = requests.size() == 1 ? mine.getFirst().newIds().length : 0;
            for (int p = first; p < first + own.size(); p++) {
                promptWidth = Math.max(promptWidth, Arrays.stream(in.attentionMask()[p]).sum());
            }
            for (Completion c : mine) {
                newWidth = Math.max(newWidth, c.produced());
            }
            List<SequenceResult> sequences = new ArrayList<>();
            for (Completion c : mine) {
                int[] ids = Arrays.copyOfRange(c.ids(), length - promptWidth, length + newWidth);
                int[] newIds = Arrays.copyOf(c.newIds(), newWidth);
                sequences.add(new SequenceResult(ids, newIds, processor.decode(ids, true),
                        processor.decode(newIds, true), c.finishReason().label(),
                        c.score().isPresent() ? c.score().getAsDouble() : null));
            }
            out.add(sequences);
            first += own.size();
        }
        return out;
    }

    private static <T> List<T> pick(List<T> items, List<Integer> indices) {
        return indices.stream().map(items::get).toList();
    }
}
