package dev.idefics4j.model.idefics3;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.model.Linear;

/**
 * Idefics3Connector: pixel shuffle by {@code scale_factor} s (each s×s block of patch states becomes one state s²
 * times as wide, so an image of seq patches becomes seq/s² tokens), then {@code modality_projection.proj}, a Linear
 * without bias into the text model's width.
 */
public final class Idefics3Connector {
    private final int visionHidden;
    private final int scaleFactor;
    private final Linear proj;

    /**
     * Loads {@code prefix + "modality_projection.proj"} ({@code prefix} = {@code "model.connector."}) mapping
     * {@code visionHidden·scaleFactor²} to {@code textHidden}.
     */
    public Idefics3Connector(Checkpoint ckpt, String prefix, int visionHidden, int scaleFactor, int textHidden) {
        if (scaleFactor < 1) {
            throw new IllegalArgumentException("scale_factor must be at least 1, got " + scaleFactor);
        }
        this.visionHidden = visionHidden;
        this.scaleFactor = scaleFactor;
        proj = Linear.load(ckpt, prefix + "modality_projection.proj", visionHidden * scaleFactor * scaleFactor,
                textHidden, false);
    }

    public int scaleFactor() {
        return scaleFactor;
    }

    /** Tokens per image for {@code seq} patch states: {@code seq / scale_factor²}. */
    public int tokensFor(int seq) {
        return seq / (scaleFactor * scaleFactor);
    }

    /**
     * {@code [images, seq, vision hidden]} (the tower's output) into {@code [images, seq/s², text hidden]}.
     * {@code trace} (may be null) receives {@code connector_pixel_shuffle}, the Linear's input.
     */
    public float[] forward(float[] imageStates, int images, int seq, ForwardTrace trace) {
        float[] shuffled = pixelShuffle(imageStates, images, seq, visionHidden, scaleFactor);
        int rows = images * tokensFor(seq);
        if (trace != null) {
            trace.record("connector_pixel_shuffle", shuffled.clone(), images, tokensFor(seq),
                    visionHidden * scaleFactor * scaleFactor);
        }
        return proj.forward(shuffled, rows);
    }

    /**
     * The reference's {@code pixel_shuffle}: the seq states of an image form a square grid of side n = √seq; output
     * token (i, j) of the (n/s)×(n/s) grid is the concatenation, for di then dj in [0, s), of the state at grid
     * position (i·s + di, j·s + dj). (Its view / permute / reshape sequence moves exactly these blocks.)
     */
    static float[] pixelShuffle(float[] x, int images, int seq, int embed, int s) {
        int side = (int) Math.sqrt(seq);
        if (side * side != seq || side % s != 0) {
            throw new IllegalArgumentException("pixel shuffle by scale_factor " + s + " needs a square grid of "
                    + "patches whose side is a multiple of it; got " + seq + " patches per image");
        }
        if (x.length != images * seq * embed) {
            throw new IllegalArgumentException("pixel shuffle of " + images + " images of " + seq + "x" + embed
                    + " states given " + x.length + " values");
        }
        int outSide = side / s;
        float[] out = new float[x.length];
        int o = 0;
        for (int img = 0; img < images; img++) {
            int base = img * seq;
            for (int i = 0; i < outSide; i++) {
                for (int j = 0; j < outSide; j++) {
                    for (int di = 0; di < s; di++) {
                        // The s states of one grid row inside the block are adjacent: one copy.
                        int src = (base + (i * s + di) * side + j * s) * embed;
                        System.arraycopy(x, src, out, o, s * embed);
                        o += s * embed;
                    }
                }
            }
        }
        return out;
    }
}
