package dev.idefics4j.server;

import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram (of seconds, or of counts) with fixed buckets, safe to observe from any thread. */
final class Histogram {
    private final String name;
    private final String help;
    private final double[] bounds;
    private final AtomicLongArray counts;
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(String name, String help, double... bounds) {
        this.name = name;
        this.help = help;
        this.bounds = bounds.clone();
        this.counts = new AtomicLongArray(bounds.length);
    }

    void observe(double value) {
        for (int i = 0; i < bounds.length; i++) {
            if (value <= bounds[i]) {
                counts.incrementAndGet(i);
                break;
            }
        }
        count.increment();
        sum.add(value);
    }

    long count() {
        return count.sum();
    }

    /** Observations above {@code bound}, which must be one of the bucket bounds. */
    long countAbove(double bound) {
        long atMost = 0;
        for (int i = 0; i < bounds.length && bounds[i] <= bound; i++) {
            atMost += counts.get(i);
        }
        return count.sum() - atMost;
    }

    /** The text exposition: cumulative {@code _bucket} lines, then {@code _sum} and {@code _count}. */
    void render(StringBuilder out) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts.get(i);
            out.append(name).append("_bucket{le=\"").append(format(bounds[i])).append("\"} ").append(cumulative)
                    .append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(count.sum()).append('\n');
        out.append(name).append("_sum ").append(format(sum.sum())).append('\n');
        out.append(name).append("_count ").append(count.sum()).append('\n');
    }

    /**
     * A number as Prometheus' own clients write it: plain decimals ({@code 0.0005}, {@code 2.5}, {@code 1.0}),
     * never Java's exponent form ({@code 5.0E-4}).
     */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        String plain = BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
