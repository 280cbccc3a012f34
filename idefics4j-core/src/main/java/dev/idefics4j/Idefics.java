package dev.idefics4j;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.generation.ContinuationScore;
import dev.idefics4j.generation.ContinuationScorer;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.generation.GenerationResult;
import dev.idefics4j.generation.GenerationTokenizer;
import dev.idefics4j.generation.Generator;
import dev.idefics4j.generation.TextStreamer;
import dev.idefics4j.hub.ModelLocator;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.ModelFamily;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.Processor;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.tensor.Bf16DotWeight;
import dev.idefics4j.tensor.Parallel;
import dev.idefics4j.tensor.VectorModule;
import dev.idefics4j.tensor.quant.QuantizedLoading;
import dev.idefics4j.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The IDEFICS family on the JVM: load a checkpoint of any family the registry knows, then caption, question,
 * classify, write about images and chat. Every task is a prompt in the family's format ({@link TaskPrompts}: the
 * guide's prompts for IDEFICS v1, the checkpoint's chat template otherwise) run through the processor and
 * {@code generate}, with the guide's defaults (the image tokens banned from the output; the end of the turn as the
 * stop where the prompt is a chat turn), which each call can override by the reference's parameter names.
 */
public final class Idefics implements AutoCloseable {
    private final Path dir;
    private final VisionLanguageModel model;
    private final Processor processor;
    private final Optional<ChatTemplate> chatTemplate;
    private final TaskPrompts prompts;
    private final GenerationConfig checkpointConfig;
    private final Generator generator;

    private Idefics(Path dir, VisionLanguageModel model, Processor processor, Optional<ChatTemplate> chatTemplate) {
        this.dir = dir;
        this.model = model;
        this.processor = processor;
        this.chatTemplate = chatTemplate;
        this.prompts = chatTemplate.map(t -> TaskPrompts.chatTemplate(t, processor.tokenizer().specialTokens()))
                .orElse(TaskPrompts.guide());
        this.checkpointConfig = GenerationConfig.load(dir);
        this.generator = new Generator(model, GenerationTokenizer.of(processor.tokenizer()));
    }

    /** Loads a checkpoint folder or Hub repo id with default options. */
    public static Idefics load(String folderOrRepoId) {
        return load(IdeficsOptions.of(folderOrRepoId));
    }

    public static Idefics load(Path dir) {
        return load(IdeficsOptions.of(dir.toString()));
    }

    public static Idefics load(IdeficsOptions options) {
        VectorModule.require(); // before anything is read: without it the first inference would fail
        if (options.threads() > 0) {
            Parallel.setThreads(options.threads());
        }
        Path dir = ModelLocator.resolve(options.model(), options.revision());
        ModelFamily family = ModelFamilies.of(dir);
        Processor processor = family.processor(dir, options.tokenizer(), new ImageLoader(options.images()));
        if (options.bf16Dot()) {
            Bf16DotWeight.requireAvailable(); // before any reading, with the reason
        }
        Checkpoint.LinearLoader linears = QuantizedLoading.linears(dir, options.quantization(),
                options.bf16Dot() ? Bf16DotWeight::wrap : UnaryOperator.identity());
        // bf16 activations hold their keys and values in bf16 too, as a bf16 model does in PyTorch.
        VisionLanguageModel model = family.load(dir, linears, options.bf16Dot());
        try {
            return new Idefics(dir, model, processor, family.chatTemplate(dir));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public VisionLanguageModel model() {
        return model;
    }

    public Processor processor() {
        return processor;
    }

    public Tokenizer tokenizer() {
        return processor.tokenizer();
    }

    /** The checkpoint's chat template, which chat and the tasks write in; empty for IDEFICS v1's guide format. */
    public Optional<ChatTemplate> chatTemplate() {
        return chatTemplate;
    }

    /** The tasks' prompts in this checkpoint's format. */
    public TaskPrompts prompts() {
        return prompts;
    }

    /** Whether this is an instruct checkpoint (its tokenizer knows {@code <end_of_utterance>}). */
    public boolean isInstruct() {
        return processor.instruct();
    }

    /** The checkpoint's {@code generation_config.json}, as {@code generate} starts from it. */
    public GenerationConfig checkpointGenerationConfig() {
        return checkpointConfig;
    }

    /**
     * The guide's defaults: the checkpoint's config with the image markup ({@code <image>},
     * {@code <fake_token_around_image>}) banned.
     */
    public GenerationConfig guideConfig() {
        List<List<Integer>> banned = new ArrayList<>();
        for (int id : processor.imageMarkupTokenIds()) {
            banned.add(List.of(id));
        }
        return checkpointConfig.withOverrides(Map.of("bad_words_ids", banned));
    }

    /** The guide's chat settings: its bad words, stop at {@code <end_of_utterance>} (and at {@code </s>}). */
    public GenerationConfig chatConfig() {
        List<Integer> eos = new ArrayList<>();
        for (int id : processor.endOfUtteranceIds()) {
            eos.add(id);
        }
        eos.add(processor.tokenizer().eosTokenId());
        return guideConfig().withOverrides(Map.of("eos_token_id", eos, "max_new_tokens", 64));
    }

    /** The processor's view of prompts (what {@code encode} prints). */
    public ModelInputs encode(List<List<PromptItem>> prompts, ProcessorOptions options) {
        return processor.process(prompts, options);
    }

    /** {@code generate} over a batch of prompts (left-padded together); sequences come prompt by prompt. */
    public List<Completion> generate(List<List<PromptItem>> prompts, ProcessorOptions options,
                                     GenerationConfig config) {
        return generate(processor.process(prompts, options), config, null);
    }

    /** As {@link #generate(List, ProcessorOptions, GenerationConfig)} on already processed inputs. */
    public List<Completion> generate(ModelInputs in, GenerationConfig config, Consumer<String> onText) {
        List<GenerationResult> results = onText == null
                ? generator.generate(in, config)
                : generator.generate(in, config, new TextStreamer(ids -> processor.decode(ids, true),
                (row, text, finished) -> onText.accept(text)));
        List<Completion> out = new ArrayList<>(results.size());
        for (GenerationResult r : results) {
            out.add(new Completion(r.prompt(), r.ids(), r.newIds(), processor.decode(r.ids(), true),
                    processor.decode(r.newIds(), true), r.finishReason(), r.score(), r.produced()));
        }
        return out;
    }

    Completion generateOne(List<PromptItem> prompt, ProcessorOptions options, GenerationConfig config,
                           Consumer<String> onText) {
        return generate(processor.process(List.of(prompt), options), config, onText).get(0);
    }

    private String run(List<PromptItem> prompt, GenerationConfig config) {
        return generateOne(prompt, ProcessorOptions.DEFAULTS, config, null).newText().strip();
    }

    /** A task's settings: the guide's, stopping at the end of the turn too where the prompt is a chat turn. */
    private GenerationConfig task(int maxNewTokens, Map<String, ?> overrides) {
        return (prompts.chat() ? chatConfig() : guideConfig()).withOverrides(Map.of("max_new_tokens", maxNewTokens))
                .withOverrides(overrides);
    }

    // ---- The guide's tasks ----

    /** Image captioning: the image alone, up to 10 new tokens (the guide's setting). */
    public String caption(ImageSource image) {
        return caption(image, Map.of());
    }

    public String caption(ImageSource image, Map<String, ?> generation) {
        return run(prompts.caption(image), task(10, generation));
    }

    /** Prompted captioning: the caption continues {@code prompt} ("This is an image of "). */
    public String caption(ImageSource image, String prompt, Map<String, ?> generation) {
        return run(prompts.promptedCaption(image, prompt), task(30, generation));
    }

    /** Few-shot prompting: examples of image and answer, then the query image. */
    public String fewShot(List<FewShotExample> examples, ImageSource query, String question,
                          Map<String, ?> generation) {
        return run(prompts.fewShot(examples, query, question), task(30, generation));
    }

    /** Visual question answering. */
    public String ask(ImageSource image, String question) {
        return ask(image, question, Map.of());
    }

    public String ask(ImageSource image, String question, Map<String, ?> generation) {
        return run(prompts.ask(image, question), task(20, generation));
    }

    /**
     * Classification as the guide prompts it: the model writes a category; the label returned is the first of
     * {@code labels} that the answer starts with or contains, else the best-ranked one.
     */
    public String classify(ImageSource image, List<String> labels) {
        return classify(image, labels, Map.of());
    }

    public String classify(ImageSource image, List<String> labels, Map<String, ?> generation) {
        Labels.require(labels);
        String answer = run(prompts.classify(image, labels), task(6, generation));
        return Labels.match(answer, labels).orElseGet(() -> rank(image, labels).get(0).label());
    }

    /**
     * Ranks every label by the log-probability of its tokens after the classification prompt, best first; the
     * image is encoded once for all labels.
     */
    public List<LabelScore> rank(ImageSource image, List<String> labels) {
        Labels.require(labels);
        List<ContinuationScore> scores = score(prompts.classify(image, labels), labels);
        List<LabelScore> out = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            ContinuationScore s = scores.get(i);
            out.add(new LabelScore(labels.get(i), s.total(), s.tokens(), s.logProbs()));
        }
        out.sort(Comparator.comparingDouble(LabelScore::logprob).reversed());
        return out;
    }

    /** The log-probability of each continuation (encoded without special tokens) after the prompt. */
    public List<ContinuationScore> score(List<PromptItem> prompt, List<String> continuations) {
        ModelInputs in = processor.process(List.of(prompt), ProcessorOptions.DEFAULTS);
        List<int[]> ids = new ArrayList<>();
        for (String c : continuations) {
            int[] enc = processor.tokenizer().encode(c, false);
            if (enc.length == 0) {
                throw new IllegalArgumentException("continuation \"" + c + "\" has no tokens");
            }
            ids.add(enc);
        }
        return ContinuationScorer.score(model, in, ids);
    }

    /** Image-guided text generation with a free instruction (a product description, say). */
    public String describe(ImageSource image, String instruction, Map<String, ?> generation) {
        return run(prompts.describe(image, instruction, null), task(100, generation));
    }

    /** The guide's story: beam search with 2 beams, up to 200 new tokens. */
    public String story(ImageSource image, Map<String, ?> generation) {
        GenerationConfig config = task(200, Map.of("num_beams", 2)).withOverrides(generation);
        return run(prompts.story(image), config);
    }

    /** Batch inference: many prompts in one left-padded batch, one answer (new text) per prompt. */
    public List<String> batch(List<List<PromptItem>> prompts, Map<String, ?> generation) {
        List<String> out = new ArrayList<>();
        for (Completion c : generate(prompts, ProcessorOptions.DEFAULTS, task(20, generation))) {
            out.add(c.newText().strip());
        }
        return out;
    }

    /** A chat with an instruct model; the history is kept between turns. */
    public ChatSession chat() {
        return chat(Map.of());
    }

    public ChatSession chat(Map<String, Object> generation) {
        return new ChatSession(this, generation);
    }

    @Override
    public void close() {
        model.close();
    }
}
