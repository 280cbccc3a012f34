package dev.idefics4j.cli;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.EncoderLayerScratch;
import dev.idefics4j.model.SiglipVisionConfig;
import dev.idefics4j.model.VisionEncoderLayer;
import dev.idefics4j.model.idefics3.Idefics3Config;
import dev.idefics4j.model.idefics3.Idefics3Connector;
import dev.idefics4j.model.idefics3.Idefics3Model;

import java.util.SplittableRandom;

/**
 * Single blocks of a loaded Idefics3 (SmolVLM) checkpoint on synthetic inputs at its shapes: the LLaMA decoder layer
 * and the lm head ({@link TextLayerBench}), a SigLIP encoder layer over one full tile and the connector over that
 * tile's states; each a {@link Runnable} repeating the same work, built afresh from the checkpoint (in the format it
 * was loaded in).
 */
final class Idefics3LayerBench {
    private final Idefics3Config config;
    private final Checkpoint ckpt;
    private final SplittableRandom random = new SplittableRandom(7);
    private final TextLayerBench text;

    Idefics3LayerBench(Idefics3Model model) {
        this.config = model.config();
        this.ckpt = model.checkpoint();
        String head = ckpt.contains("lm_head.weight") ? "lm_head.weight" : "model.text_model.embed_tokens.weight";
        this.text = new TextLayerBench(config.textConfig(), ckpt, "model.text_model.layers.0.", head,
                model.bf16KvCache(), random);
    }

    Runnable decoderLayer(int tokens, int past) {
        return text.decoderLayer(tokens, past);
    }

    Runnable lmHead(int rows) {
        return text.lmHead(rows);
    }

    /** SigLIP encoder layer 0 over one full tile's patches (1024 for 512 px in 16 px patches), none padded. */
    Runnable siglipLayer() {
        SiglipVisionConfig v = config.visionConfig();
        VisionEncoderLayer layer = new VisionEncoderLayer(VisionEncoderLayer.Kind.SIGLIP, v.hiddenSize(),
                v.numAttentionHeads(), v.intermediateSize(), v.layerNormEps(), ckpt,
                "model.vision_model.encoder.layers.0.");
        int tokens = v.numPositions();
        float[] input = TextLayerBench.randomStates(random, tokens * v.hiddenSize());
        float[] h = new float[input.length];
        EncoderLayerScratch scratch = new EncoderLayerScratch(tokens, v.hiddenSize(), v.intermediateSize());
        return () -> {
            System.arraycopy(input, 0, h, 0, h.length);
            layer.forward(h, tokens, null, scratch);
        };
    }

    /** The connector (pixel shuffle, projection) over one full tile's tower states. */
    Runnable connector() {
        SiglipVisionConfig v = config.visionConfig();
        Idefics3Connector connector = new Idefics3Connector(ckpt, "model.connector.", v.hiddenSize(),
                config.scaleFactor(), config.textConfig().hiddenSize());
        int tokens = v.numPositions();
        float[] states = TextLayerBench.randomStates(random, tokens * v.hiddenSize());
        return () -> connector.forward(states, 1, tokens, null);
    }
}
