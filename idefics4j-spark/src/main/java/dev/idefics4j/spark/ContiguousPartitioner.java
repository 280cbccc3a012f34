package dev.idefics4j.spark;

import org.apache.spark.Partitioner;

/**
 * Spreads row positions 0..count-1 over partitions in contiguous ranges, so that the partitions, read in order, keep
 * the input's order (and each part file of the output holds a stretch of it).
 */
final class ContiguousPartitioner extends Partitioner {
    private final long count;
    private final int partitions;

    ContiguousPartitioner(long count, int partitions) {
        if (count < 1 || partitions < 1) {
            throw new IllegalArgumentException("need rows and partitions, got " + count + " and " + partitions);
        }
        this.count = count;
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        return (int) Math.min(partitions - 1, (Long) key * partitions / count);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ContiguousPartitioner p && p.count == count && p.partitions == partitions;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + partitions;
    }
}
