package io.github.flinkanndata.examples.features;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per cell type (the key): running per-gene mean and variance of the normalised values in keyed
 * state, highly variable genes every {@code hvgEvery} cells of the type, and the final statistics
 * and highly variable genes when the input ends.
 *
 * <p>Main output: {@code hvg.jsonl} lines. Side output {@link #GENE_STATS}: one {@code
 * gene_stats.jsonl} line per type at the end. "The end" is an event-time timer at {@code
 * Long.MAX_VALUE}, registered with a type's first cell: a bounded source's final watermark fires
 * it after the last cell, and since timers are checkpointed with the state it also fires after a
 * restore. (With an unbounded source it never fires; the periodic lists still come.)
 */
final class GeneStatsFunction extends KeyedProcessFunction<String, CellFeatures, String> {
    private static final long serialVersionUID = 1L;

    /** One {@code gene_stats.jsonl} line per cell type. */
    static final OutputTag<String> GENE_STATS = new OutputTag<>("gene-stats", Types.STRING);

    private final GeneCatalog genes;
    private final int hvgTop;
    private final long hvgEvery;
    private transient ValueState<GeneStats> state;

    /** {@code hvgEvery} 0: highly variable genes only at the end. */
    GeneStatsFunction(GeneCatalog genes, int hvgTop, long hvgEvery) {
        this.genes = genes;
        this.hvgTop = hvgTop;
        this.hvgEvery = hvgEvery;
    }

    @Override
    public void open(OpenContext context) {
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("gene-stats", TypeInformation.of(GeneStats.class)));
    }

    @Override
    public void processElement(CellFeatures cell, Context ctx, Collector<String> out) throws Exception {
        GeneStats stats = state.value();
        if (stats == null) {
            stats = new GeneStats(genes.size());
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }
        stats.add(cell.indices, cell.values);
        if (hvgEvery > 0 && stats.count % hvgEvery == 0) {
            stats.settle();
            out.collect(FeatureJson.hvg(ctx.getCurrentKey(), stats, HighlyVariableGenes.top(stats, hvgTop), false, genes));
        }
        state.update(stats);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) throws Exception {
        GeneStats stats = state.value();
        if (stats == null) {
            return;
        }
        stats.settle();
        ctx.output(GENE_STATS, FeatureJson.geneStats(ctx.getCurrentKey(), stats, genes));
        out.collect(FeatureJson.hvg(ctx.getCurrentKey(), stats, HighlyVariableGenes.top(stats, hvgTop), true, genes));
        state.clear();
    }
}
