package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.RandomCheckpoint;
import dev.idefics4j.model.SiglipVisionConfig;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.model.ModelFamily;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.Processor;
import dev.idefics4j.tokenizer.Flavor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Idefics2 ({@code model_type} "idefics2"): HuggingFaceM4/idefics2-8b and its base and chatty variants. No
 * published configuration is bundled; random checkpoints are made from a config.json.
 */
public final class Idefics2Family implements ModelFamily {

    @Override
    public String modelType() {
        return "idefics2";
    }

    @Override
    public VisionLanguageModel load(Path dir, Checkpoint.LinearLoader linears, boolean bf16KvCache) {
        return Idefics2Model.load(dir, linears, bf16KvCache);
    }

    @Override
    public Processor processor(Path dir, Flavor tokenizer, ImageLoader images) {
        return Idefics2Processor.fromCheckpoint(dir, tokenizer, images);
    }

    @Override
    public Optional<ObjectNode> publishedConfig(String name) {
        return Optional.empty();
    }

    @Override
    public List<String> publishedConfigNames() {
        return List.of();
    }

    /**
     * Sets {@code text_config.num_hidden_layers} and {@code vision_config.num_hidden_layers}; an absent
     * {@code text_config} is first written out with the defaults Idefics2Config gives it, which a bare object would
     * not get.
     */
    @Override
    public ObjectNode withLayers(ObjectNode config, Integer textLayers, Integer visionLayers) {
        ObjectNode c = config.deepCopy();
        if (textLayers != null) {
            if (!c.path("text_config").isObject()) {
                c.set("text_config", Idefics2Config.defaultTextConfig());
            }
            ((ObjectNode) c.get("text_config")).put("num_hidden_layers", textLayers);
        }
        if (visionLayers != null) {
            c.withObject("vision_config").put("num_hidden_layers", visionLayers);
        }
        return c;
    }

    /**
     * The tensors of {@code config}, its generation config (the text model's bos, eos and pad ids), an
     * Idefics2ImageProcessor config scaled to the tower (longest edge = {@code vision_config.image_size}, shortest
     * edge in idefics2-8b's ratio 378 / 980, no splitting) and a processor config with image_seq_len.
     */
    @Override
    public RandomCheckpoint.Contents randomCheckpoint(ObjectNode config) {
        Idefics2Config parsed = Idefics2Config.parse("random checkpoint config", config);
        ObjectMapper json = new ObjectMapper();
        ObjectNode gen = RandomCheckpoint.generationConfig(parsed.bosTokenId(), parsed.eosTokenId(),
                parsed.padTokenId());
        SiglipVisionConfig vision = parsed.visionConfig();
        ObjectNode pre = json.createObjectNode();
        pre.put("do_convert_rgb", true);
        pre.put("do_image_splitting", false);
        pre.put("do_normalize", true);
        pre.put("do_pad", true);
        pre.put("do_rescale", true);
        pre.put("do_resize", true);
        pre.putArray("image_mean").add(0.5).add(0.5).add(0.5);
        pre.put("image_processor_type", "Idefics2ImageProcessor");
        pre.putArray("image_std").add(0.5).add(0.5).add(0.5);
        pre.put("processor_class", "Idefics2Processor");
        pre.put("resample", 2);
        pre.put("rescale_factor", 1 / 255.0);
        ObjectNode size = pre.putObject("size");
        size.put("longest_edge", vision.imageSize());
        size.put("shortest_edge", Math.max(vision.patchSize(), vision.imageSize() * 378 / 980));
        ObjectNode processor = json.createObjectNode();
        processor.put("image_seq_len", parsed.imageSeqLen());
        processor.put("processor_class", "Idefics2Processor");
        Map<String, JsonNode> files = new LinkedHashMap<>();
        files.put("generation_config.json", gen);
        files.put("preprocessor_config.json", pre);
        files.put("processor_config.json", processor);
        return new RandomCheckpoint.Contents(Idefics2WeightLayout.of(parsed), files,
                parsed.textConfig().vocabSize());
    }
}
