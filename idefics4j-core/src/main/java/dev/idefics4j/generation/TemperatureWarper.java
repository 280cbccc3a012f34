package dev.idefics4j.generation;

/** {@code temperature} (sampling only): scores divided by the temperature in float32. */
final class TemperatureWarper implements LogitsProcessor {
    private final float temperature;

    TemperatureWarper(double temperature) {
        this.temperature = (float) temperature;
    }

    @Override
    public void process(Sequences ids, float[] scores, int vocab) {
        for (int i = 0; i < scores.length; i++) {
            scores[i] = scores[i] / temperature;
        }
    }
}
