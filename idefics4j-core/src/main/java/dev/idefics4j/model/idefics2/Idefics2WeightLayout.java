package dev.idefics4j.model.idefics2;

import dev.idefics4j.checkpoint.WeightLayout;
import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.model.LlamaDecoderLayer;
import dev.idefics4j.model.SiglipVisionTransformer;

import java.util.List;

/**
 * The state dict an Idefics2ForConditionalGeneration of a given config has: every tensor name (the reference's) with
 * its shape, in the reference's module order (vision tower, connector, text model, lm head). Random checkpoints are
 * written from it; loading asks for the same names and shapes.
 */
final class Idefics2WeightLayout {
    private Idefics2WeightLayout() {
    }

    static List<WeightLayout.Entry> of(Idefics2Config c) {
        WeightLayout out = new WeightLayout();
        LlamaConfig text = c.textConfig();
        int hidden = text.hiddenSize();
        SiglipVisionTransformer.weights(c.visionConfig(), "model.vision_model.", out);
        Idefics2Connector.weights("model.connector.", c.visionConfig().hiddenSize(), hidden,
                text.intermediateSize(), c.perceiverConfig(), out);
        out.add("model.text_model.embed_tokens.weight", WeightLayout.Kind.EMBEDDING, text.vocabSize(), hidden);
        for (int i = 0; i < text.numHiddenLayers(); i++) {
            LlamaDecoderLayer.weights(text, "model.text_model.layers." + i + ".", out);
        }
        out.add("model.text_model.norm.weight", WeightLayout.Kind.NORM_WEIGHT, hidden);
        if (!text.tieWordEmbeddings()) {
            out.linear("lm_head", hidden, text.vocabSize(), false);
        }
        return out.entries();
    }
}
