package dev.idefics4j.model.idefics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.RandomCheckpoint;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.ModelFamily;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.processor.IdeficsProcessor;
import dev.idefics4j.processor.Processor;
import dev.idefics4j.tokenizer.Flavor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** IDEFICS v1 ({@code model_type} "idefics"): idefics-9b and -80b, base and instruct. */
public final class IdeficsFamily implements ModelFamily {
    private static final List<String> PUBLISHED = List.of("idefics-9b", "idefics-9b-instruct", "idefics-80b",
            "idefics-80b-instruct");

    @Override
    public String modelType() {
        return "idefics";
    }

    @Override
    public VisionLanguageModel load(Path dir, Checkpoint.LinearLoader linears, boolean bf16KvCache) {
        IdeficsModel model = IdeficsModel.load(dir, linears);
        model.setBf16KvCache(bf16KvCache);
        return model;
    }

    /** IDEFICS v1 converses in the guide's instruct format, whatever template a tokenizer config may carry. */
    @Override
    public Optional<ChatTemplate> chatTemplate(Path dir) {
        return Optional.empty();
    }

    @Override
    public Processor processor(Path dir, Flavor tokenizer, ImageLoader images) {
        return tokenizer == null ? IdeficsProcessor.fromCheckpoint(dir, images)
                : IdeficsProcessor.fromCheckpoint(dir, tokenizer, images);
    }

    @Override
    public Optional<ObjectNode> publishedConfig(String name) {
        return ModelFamilies.bundledConfig(IdeficsFamily.class, PUBLISHED, name);
    }

    @Override
    public List<String> publishedConfigNames() {
        return PUBLISHED;
    }

    /** When the new text depth is not a multiple of cross_layer_interval, one gated cross-attention block remains. */
    @Override
    public ObjectNode withLayers(ObjectNode config, Integer textLayers, Integer visionLayers) {
        ObjectNode c = config.deepCopy();
        if (textLayers != null) {
            c.put("num_hidden_layers", textLayers);
            if (textLayers % c.path("cross_layer_interval").asInt(1) != 0) {
                c.put("cross_layer_interval", textLayers);
            }
        }
        if (visionLayers != null) {
            ((ObjectNode) c.withObject("vision_config")).put("num_hidden_layers", visionLayers);
        }
        return c;
    }

    @Override
    public RandomCheckpoint.Contents randomCheckpoint(ObjectNode config) {
        IdeficsConfig parsed = IdeficsConfig.parse("random checkpoint config", config);
        ObjectMapper json = new ObjectMapper();
        ObjectNode gen = RandomCheckpoint.generationConfig(parsed.bosTokenId(), parsed.eosTokenId(),
                parsed.padTokenId());
        ObjectNode pre = json.createObjectNode();
        pre.putArray("image_mean").add(0.48145466).add(0.4578275).add(0.40821073);
        pre.put("image_num_channels", parsed.visionConfig().numChannels());
        pre.put("image_processor_type", "IdeficsImageProcessor");
        pre.put("image_size", parsed.visionConfig().imageSize());
        pre.putArray("image_std").add(0.26862954).add(0.26130258).add(0.27577711);
        pre.put("processor_class", "IdeficsProcessor");
        Map<String, JsonNode> files = new LinkedHashMap<>();
        files.put("generation_config.json", gen);
        files.put("preprocessor_config.json", pre);
        return new RandomCheckpoint.Contents(IdeficsWeightLayout.of(parsed), files, parsed.totalVocabSize());
    }
}
