package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.RandomCheckpoint;
import dev.idefics4j.checkpoint.WeightLayout;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.model.LlamaDecoderLayer;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.ModelFamily;
import dev.idefics4j.model.SiglipVisionTransformer;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.Processor;
import dev.idefics4j.tokenizer.Flavor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Idefics3 and SmolVLM ({@code model_type} "idefics3"). */
public final class Idefics3Family implements ModelFamily {
    private static final List<String> PUBLISHED = List.of("SmolVLM-256M-Instruct");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String modelType() {
        return "idefics3";
    }

    /** Also refuses a processor_config.json whose image_seq_len contradicts config.json. */
    @Override
    public VisionLanguageModel load(Path dir, Checkpoint.LinearLoader linears, boolean bf16KvCache) {
        Idefics3Processor.imageSeqLen(dir);
        return Idefics3Model.load(dir, linears, bf16KvCache);
    }

    /** Also refuses a tokenizer whose {@code <image>} is not config.json's image_token_id. */
    @Override
    public Processor processor(Path dir, Flavor tokenizer, ImageLoader images) {
        Idefics3Processor processor = Idefics3Processor.fromCheckpoint(dir, tokenizer, images);
        Idefics3Config config = Idefics3Config.load(dir.resolve("config.json"));
        int imageId = processor.tokenizer().tokenToId(Idefics3Processor.IMAGE_TOKEN);
        if (imageId != config.imageTokenId()) {
            throw new IllegalArgumentException(dir.resolve("config.json") + ": field 'image_token_id' is "
                    + config.imageTokenId() + " but the tokenizer's " + Idefics3Processor.IMAGE_TOKEN + " is "
                    + imageId);
        }
        return processor;
    }

    @Override
    public Optional<ObjectNode> publishedConfig(String name) {
        return ModelFamilies.bundledConfig(Idefics3Family.class, PUBLISHED, name);
    }

    @Override
    public List<String> publishedConfigNames() {
        return PUBLISHED;
    }

    @Override
    public ObjectNode withLayers(ObjectNode config, Integer textLayers, Integer visionLayers) {
        ObjectNode c = config.deepCopy();
        if (textLayers != null) {
            c.withObject("text_config").put("num_hidden_layers", textLayers);
        }
        if (visionLayers != null) {
            c.withObject("vision_config").put("num_hidden_layers", visionLayers);
        }
        return c;
    }

    /**
     * The tensors of Idefics3ForConditionalGeneration in the reference's order, and the files transformers writes
     * beside them: generation_config.json from the text config's special ids (as a model made from this config
     * saves it), preprocessor_config.json (tiles of the tower's image size, or the {@code max_image_size} and
     * {@code size} the config carries, as SmolVLM's do) and processor_config.json with the image_seq_len the
     * connector implies.
     */
    @Override
    public RandomCheckpoint.Contents randomCheckpoint(ObjectNode config) {
        Idefics3Config parsed = Idefics3Config.parse("random checkpoint config", config);
        LlamaConfig text = parsed.textConfig();
        WeightLayout layout = new WeightLayout();
        SiglipVisionTransformer.weights(parsed.visionConfig(), "model.vision_model.", layout);
        layout.linear("model.connector.modality_projection.proj", parsed.connectorInputDim(), text.hiddenSize(),
                false);
        layout.add("model.text_model.embed_tokens.weight", WeightLayout.Kind.EMBEDDING, text.vocabSize(),
                text.hiddenSize());
        for (int i = 0; i < text.numHiddenLayers(); i++) {
            LlamaDecoderLayer.weights(text, "model.text_model.layers." + i + ".", layout);
        }
        layout.add("model.text_model.norm.weight", WeightLayout.Kind.NORM_WEIGHT, text.hiddenSize());
        if (!parsed.tieWordEmbeddings()) {
            layout.linear("lm_head", text.hiddenSize(), text.vocabSize(), false);
        }
        Map<String, JsonNode> files = new LinkedHashMap<>();
        files.put("generation_config.json", generationConfig(config.path("text_config")));
        files.put("preprocessor_config.json", preprocessorConfig(config.path("vision_config"),
                parsed.visionConfig().imageSize()));
        ObjectNode processor = JSON.createObjectNode();
        processor.put("image_seq_len", parsed.imageSeqLen());
        processor.put("processor_class", "Idefics3Processor");
        files.put("processor_config.json", processor);
        return new RandomCheckpoint.Contents(layout.entries(), files, text.vocabSize());
    }

    private static ObjectNode generationConfig(JsonNode text) {
        ObjectNode gen = JSON.createObjectNode();
        gen.put("_from_model_config", true);
        for (String id : new String[]{"bos_token_id", "eos_token_id", "pad_token_id"}) {
            if (text.hasNonNull(id)) {
                gen.set(id, text.get(id));
            }
        }
        return gen;
    }

    private static ObjectNode preprocessorConfig(JsonNode vision, int imageSize) {
        int tile = vision.path("max_image_size").path("longest_edge").asInt(imageSize);
        ObjectNode pre = JSON.createObjectNode();
        pre.put("do_convert_rgb", true);
        pre.put("do_image_splitting", true);
        pre.put("do_normalize", true);
        pre.put("do_pad", true);
        pre.put("do_rescale", true);
        pre.put("do_resize", true);
        pre.putArray("image_mean").add(0.5).add(0.5).add(0.5);
        pre.put("image_processor_type", "Idefics3ImageProcessor");
        pre.putArray("image_std").add(0.5).add(0.5).add(0.5);
        pre.putObject("max_image_size").put("longest_edge", tile);
        pre.put("processor_class", "Idefics3Processor");
        pre.put("resample", 1);
        pre.put("rescale_factor", 1 / 255.0);
        pre.putObject("size").put("longest_edge", vision.path("size").path("longest_edge").asInt(4 * tile));
        return pre;
    }
}
