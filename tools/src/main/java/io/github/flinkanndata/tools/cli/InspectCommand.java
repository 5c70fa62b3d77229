package io.github.flinkanndata.tools.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.Column;
import io.github.flinkanndata.format.DataFrame;
import io.github.flinkanndata.format.MatrixElement;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code inspect PATH [--json]}: what a store holds, read from its metadata and indexes only. */
@Command(name = "inspect", description = "Summarise one store: shape, X layout, obs columns, layers, obsm, raw.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATH", description = "An .h5ad file, a .zarr directory or a .zarr.zip file:"
            + " a local path, a file:// URI or any scheme Flink has a file system for (s3://, ...).")
    String path;

    @Option(names = "--json", description = "Print exactly one JSON object instead of the readable summary.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Stores.Store opened = Stores.store(path)) {
            AnnDataStore store = opened.get();
            if (json) {
                ObjectMapper mapper = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
                out.println(mapper.writeValueAsString(facts(path, store)));
            } else {
                printSummary(path, store, out);
            }
        }
        return 0;
    }

    /**
     * The JSON form: the keys and meanings of {@code facts.json} in the shared test data; {@code
     * path} as given (a remote store is read from a local copy, whose path would say nothing).
     */
    static Map<String, Object> facts(String path, AnnDataStore store) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("format", store.format().id());
        m.put("n_obs", store.nObs());
        m.put("n_vars", store.nVars());
        m.put("var_names_head", head(store.var().index(), 3));
        m.put("obs_names_head", head(store.obs().index(), 2));
        m.put("obs_columns", store.obs().columnOrder());
        m.put("layers", store.layerKeys());
        m.put("obsm", store.obsmKeys());
        m.put("raw", store.hasRaw());
        MatrixElement x = store.x();
        m.put("X", x == null ? null : x.layout().id());
        return m;
    }

    private static void printSummary(String path, AnnDataStore store, PrintWriter out) throws Exception {
        out.printf("store    %s (%s)%n", path, store.format().id());
        out.printf("shape    %d cells x %d genes%n", store.nObs(), store.nVars());
        MatrixElement x = store.x();
        out.printf("X        %s%n", x == null ? "none" : describe(x));
        DataFrame obs = store.obs();
        out.printf("obs      index '%s': %s%n", obs.indexKey(), String.join(", ", head(obs.index(), 3)));
        for (String name : obs.columnOrder()) {
            Column c = obs.column(name);
            String detail = c == null ? "missing" : c.pandasDtype()
                    + (c.isCategorical() ? ", " + c.categories().size() + " categories" : "");
            out.printf("         %s (%s)%n", name, detail);
        }
        DataFrame var = store.var();
        out.printf("var      index '%s': %s%n", var.indexKey(), String.join(", ", head(var.index(), 3)));
        out.printf("layers   %s%n", describeAll(store, store.layerKeys(), "layers/"));
        out.printf("obsm     %s%n", describeAll(store, store.obsmKeys(), "obsm/"));
        MatrixElement raw = store.matrix("raw.X");
        // the pre-0.7 layout keeps raw as root-level raw.X / raw.var: anndata reads it, lamindb and
        // so dump do not (docs/semantics.md §7.1), and inspect says so rather than offer it
        out.printf("raw      %s%n", raw != null ? describe(raw)
                : store.hasRaw() ? "pre-0.7 root-level raw.X, not read (--layers-keys raw.X gives nothing, as in lamindb)"
                : "no");
    }

    private static String describeAll(AnnDataStore store, List<String> keys, String prefix) throws Exception {
        if (keys.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (String k : keys) {
            MatrixElement m = store.matrix(prefix + k);
            parts.add(k + " (" + (m == null ? "?" : describe(m)) + ")");
        }
        return String.join(", ", parts);
    }

    private static String describe(MatrixElement m) {
        switch (m.layout()) {
            case DATAFRAME:
                return "dataframe";
            case DENSE:
                int[] rowShape = m.rowShape(); // an obsm entry of more than two dimensions
                StringBuilder dims = new StringBuilder().append(m.rows());
                if (rowShape == null) {
                    dims.append('x').append(m.cols());
                } else {
                    for (int d : rowShape) {
                        dims.append('x').append(d);
                    }
                }
                return "dense " + dims + " " + m.dataType().numpyName();
            default:
                return m.layout().id() + " " + m.rows() + "x" + m.cols() + " " + m.dataType().numpyName()
                        + ", " + m.nnz() + " non-zeros";
        }
    }

    private static List<String> head(List<String> all, int n) {
        return new ArrayList<>(all.subList(0, Math.min(n, all.size())));
    }
}
