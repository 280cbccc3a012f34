package dev.idefics4j.model;

/**
 * The working arrays of one vision encoder layer (CLIP's or SigLIP's) for images of {@code tokens} states, made once
 * per image and reused by every layer of the tower.
 */
public final class EncoderLayerScratch {
    public final float[] x;
    public final float[] q;
    public final float[] k;
    public final float[] v;
    public final float[] attn;
    public final float[] mid;

    public EncoderLayerScratch(int tokens, int embed, int intermediate) {
        x = new float[tokens * embed];
        q = new float[tokens * embed];
        k = new float[tokens * embed];
        v = new float[tokens * embed];
        attn = new float[tokens * embed];
        mid = new float[tokens * intermediate];
    }
}
