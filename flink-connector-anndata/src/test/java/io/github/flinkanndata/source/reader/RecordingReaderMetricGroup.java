package io.github.flinkanndata.source.reader;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.OperatorIOMetricGroup;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A reader metric group that keeps what is registered, so tests can read the gauges and the IO
 * counters (Flink's unregistered group hands out a fresh counter on every call).
 */
final class RecordingReaderMetricGroup extends UnregisteredMetricsGroup implements SourceReaderMetricGroup {
    private final Map<String, Gauge<?>> gauges = new HashMap<>();
    private final Counter errors = new SimpleCounter();
    private final IO io = new IO();

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        gauges.put(name, gauge);
        return gauge;
    }

    @Override
    public Counter getNumRecordsInErrorsCounter() {
        return errors;
    }

    @Override
    public void setPendingBytesGauge(Gauge<Long> gauge) {
        gauges.put("pendingBytes", gauge);
    }

    @Override
    public void setPendingRecordsGauge(Gauge<Long> gauge) {
        gauges.put("pendingRecords", gauge);
    }

    @Override
    public OperatorIOMetricGroup getIOMetricGroup() {
        return io;
    }

    /** The current value of a registered gauge. */
    Object gaugeValue(String name) {
        Gauge<?> g = gauges.get(name);
        if (g == null) {
            throw new AssertionError("no gauge " + name + " registered; registered: " + gauges.keySet());
        }
        return g.getValue();
    }

    long numRecordsIn() {
        return io.recordsIn.getCount();
    }

    long numBytesIn() {
        return io.bytesIn.getCount();
    }

    private static final class IO extends UnregisteredMetricsGroup implements OperatorIOMetricGroup {
        final Counter recordsIn = new SimpleCounter();
        final Counter recordsOut = new SimpleCounter();
        final Counter bytesIn = new SimpleCounter();
        final Counter bytesOut = new SimpleCounter();

        @Override
        public Counter getNumRecordsInCounter() {
            return recordsIn;
        }

        @Override
        public Counter getNumRecordsOutCounter() {
            return recordsOut;
        }

        @Override
        public Counter getNumBytesInCounter() {
            return bytesIn;
        }

        @Override
        public Counter getNumBytesOutCounter() {
            return bytesOut;
        }
    }
}
