package io.github.flinkanndata.tools.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.flinkanndata.tools.cli.JsonSamples;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Renders a record as the {@code dump} JSON line plus {@code _epoch} and {@code _global_idx},
 * sleeping {@code paceMs} first. The sleep stretches a small collection over tens of seconds so a
 * test can kill a TaskManager while an epoch is in progress; it blocks only this subtask, and
 * checkpoint barriers still pass between records.
 */
final class PacedJsonLines extends RichMapFunction<CellRecord, String> {
    private static final long serialVersionUID = 1L;

    private final long paceMs;
    private transient ObjectMapper json;

    PacedJsonLines(long paceMs) {
        this.paceMs = paceMs;
    }

    @Override
    public void open(OpenContext context) {
        json = new ObjectMapper();
    }

    @Override
    public String map(CellRecord r) throws Exception {
        if (paceMs > 0) {
            Thread.sleep(paceMs);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_epoch", r.epoch());
        m.put("_global_idx", r.globalIndex());
        m.putAll(JsonSamples.sample(r.sample()));
        return json.writeValueAsString(m);
    }
}
