package io.github.flinkanndata.table;

import io.github.flinkanndata.source.record.CellRecord;
import static io.github.flinkanndata.table.TableFixtures.MIXED;
import static io.github.flinkanndata.table.TableFixtures.PARTS;
import static io.github.flinkanndata.table.TableFixtures.ddl;
import static io.github.flinkanndata.table.TableFixtures.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.AnnDataSourceOptions;
import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.cache.CacheSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The factory through the planner, without running a job: option validation, column mapping and
 * type checks, projection push-down into the source's keys.
 */
class AnnDataTableFactoryTest {
    /** Every kind of column of the mixed collection, dense. */
    static final String COLUMNS = "global_idx BIGINT, store_idx INT, epoch INT, X ARRAY<FLOAT>, counts ARRAY<FLOAT>, "
            + "obsm_X_emb ARRAY<FLOAT>, cell_type INT, donor STRING, score DOUBLE, batch BIGINT";

    private static StreamTableEnvironment tEnv;

    @BeforeAll
    static void planner() {
        tEnv = StreamTableEnvironment.create(StreamExecutionEnvironment.getExecutionEnvironment());
    }

    private static void create(String columns, List<String> paths, String... options) {
        tEnv.executeSql("DROP TEMPORARY TABLE IF EXISTS cells");
        tEnv.executeSql(ddl("cells", columns, paths, options));
    }

    /** The planner's view of a query over {@code cells}: the factory runs here. */
    private static String explain(String query) {
        return tEnv.explainSql(query);
    }

    private static String rejection(String columns, String... options) {
        create(columns, MIXED, options);
        Throwable e = catchThrowable(() -> explain("SELECT * FROM cells"));
        assertThat(e).as("the table must be rejected").isNotNull();
        return messages(e);
    }

    @Test
    void explainShowsOnlyTheSelectedFieldsInTheScan() {
        create(COLUMNS, MIXED);
        String plan = explain("SELECT cell_type, COUNT(*) AS n FROM cells GROUP BY cell_type");
        List<String> scans = new ArrayList<>();
        for (String line : plan.split("\n")) {
            if (line.contains("TableSourceScan")) {
                scans.add(line.trim());
            }
        }
        assertThat(scans).isNotEmpty().allSatisfy(scan -> assertThat(scan)
                .contains("project=[cell_type]", "fields=[cell_type]")
                .doesNotContain("X", "counts", "donor", "score", "global_idx"));
    }

    @Test
    void unknownOptionIsRejectedWithFlinksMessage() {
        assertThat(rejection(COLUMNS, "scan.smapling", "weighted"))
                .contains("Unsupported options", "scan.smapling", "scan.sampling");
    }

    @Test
    void missingPathIsRejected() {
        tEnv.executeSql("DROP TEMPORARY TABLE IF EXISTS cells");
        tEnv.executeSql("CREATE TEMPORARY TABLE cells (X ARRAY<FLOAT>) WITH ('connector' = 'anndata')");
        assertThatThrownBy(() -> explain("SELECT * FROM cells"))
                .satisfies(e -> assertThat(messages(e)).contains("Missing required options", "path"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '#', value = {
        "scan.sampling # random # scan.sampling",
        "scan.output # csr # scan.output",
        "scan.block-size # 0 # 'scan.block-size': must be > 0, was 0",
        "scan.window-blocks # -2 # 'scan.window-blocks': must be > 0",
        "scan.rows-per-split # 0 # scan.rows-per-split",
        "scan.fetch-rows # many # scan.fetch-rows",
        "scan.epochs # 0 # 'scan.epochs': must be > 0, or -1",
        "scan.join # left # 'scan.join': must be inner, outer or none, was 'left'",
        "scan.dtype # float16 # 'scan.dtype': dtype must be one of",
        "scan.weight-keys # cell_type # 'scan.weight-keys': given ([cell_type]), but 'scan.sampling' is SEQUENTIAL",
        "scan.weight-scaler # 0 # 'scan.weight-scaler': must be > 0",
        "scan.encode-labels # tissue # 'scan.encode-labels': 'tissue' is not an obs column",
        "scan.unknown-label # donor=d1 # 'scan.unknown-label': 'donor' is not an encoded obs column",
        "scan.obs-filter # donor:d1|| # 'scan.obs-filter': empty value for key 'donor'",
        "scan.chunk-cache-bytes # lots # scan.chunk-cache-bytes",
        "path # ' ' # 'path': expected one or more store paths",
        "scan.store-cache.max-bytes # 0 # 'scan.store-cache.max-bytes': must be > 0",
        "scan.store-cache.download-retries # -1 # 'scan.store-cache.download-retries': must be >= 0",
    })
    void badValueIsRejectedNamingTheOption(String option, String value, String expected) {
        assertThat(rejection(COLUMNS, option, value)).contains(expected);
    }

    @Test
    void growingTableOptionsReachTheSource() {
        create(COLUMNS, MIXED, "scan.epochs", "-1", "scan.watch-directories", "incoming;more",
                "scan.discovery-interval", "2 s", "scan.genes", "g1;g2");
        SourceSettings s = sourceOf("SELECT * FROM cells").settings();
        assertThat(s.watchDirectories()).containsExactly("incoming", "more");
        assertThat(s.discoveryInterval()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(s.genes()).containsExactly("g1", "g2");
    }

    @Test
    void aGrowingTableMustBeUnbounded() {
        assertThat(rejection(COLUMNS, "scan.watch-directories", "incoming")).contains("needs unbounded epochs");
    }

    @Test
    void weightedSamplingNeedsWeightKeys() {
        assertThat(rejection(COLUMNS, "scan.sampling", "weighted"))
                .contains("'scan.weight-keys': must name the obs keys to balance in WEIGHTED sampling");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '#', value = {
        "cell_type STRING # scan.encode-labels # true # Column 'cell_type' of the anndata table has type STRING, but needs INT (obs key 'cell_type' is encoded",
        "cell_type INT # scan.encode-labels # false # Column 'cell_type' of the anndata table has type INT, but obs key 'cell_type' is not encoded",
        "cell_type FLOAT # # # Column 'cell_type' of the anndata table is the obs key 'cell_type' and has type FLOAT",
        "cell_type INT NOT NULL # # # Column 'cell_type' of the anndata table is declared NOT NULL",
        "epoch BIGINT # # # Column 'epoch' of the anndata table has type BIGINT, but needs INT",
        "global_idx INT # # # Column 'global_idx' of the anndata table has type INT, but needs BIGINT",
        "X ARRAY<DOUBLE> # # # Column 'X' of the anndata table has type ARRAY<DOUBLE>, but the matrix 'X' needs ARRAY<FLOAT> (dense) or ROW<indices ARRAY<INT>, `values` ARRAY<FLOAT>> (sparse)",
        "X ARRAY<DOUBLE> # scan.output # dense # Column 'X' of the anndata table has type ARRAY<DOUBLE>, but needs ARRAY<FLOAT> (matrix 'X', 'scan.output' = 'dense')",
        "X ARRAY<FLOAT> # scan.output # sparse # Column 'X' of the anndata table has type ARRAY<FLOAT>, but needs ROW<indices ARRAY<INT>, `values` ARRAY<FLOAT>> (matrix 'X', 'scan.output' = 'sparse')",
        "X ARRAY<FLOAT>, counts ROW<indices ARRAY<INT>, `values` ARRAY<FLOAT>> # # # all dense (ARRAY<FLOAT>) or all sparse",
        "obsm_X_emb ARRAY<INT> # # # Column 'obsm_X_emb' of the anndata table has type ARRAY<INT>, but needs ARRAY<FLOAT>",
        "obsm_X_emb ARRAY<ARRAY<INT>> # # # Column 'obsm_X_emb' of the anndata table has type ARRAY<ARRAY<INT>>, but needs ARRAY<FLOAT> (the obsm row, cast to FLOAT), or ARRAY<ARRAY<FLOAT>> and deeper for an entry of more than two dimensions",
        "obsm_X_emb ARRAY<FLOAT> # scan.obsm-keys # X_pca # Column 'obsm_X_emb' of the anndata table is named like the obsm entry 'X_emb', but 'scan.obsm-keys' does not list it",
        "obsm_X_emb ARRAY<FLOAT> # scan.obsm-keys # X_emb;X_pca # 'scan.obsm-keys': 'X_pca' has no column 'obsm_X_pca'",
        "cell_type INT, donor STRING # scan.obs-keys # cell_type # Column 'donor' of the anndata table is neither a metadata column",
        "cell_type INT # scan.obs-keys # cell_type;tissue # 'scan.obs-keys': 'tissue' has no obs column in the table",
        "epoch INT # scan.obs-keys # epoch # 'scan.obs-keys': 'epoch' is a reserved column name",
        "X ARRAY<FLOAT>, counts ARRAY<FLOAT> # scan.layers-keys # X # Column 'counts' of the anndata table is the obs key 'counts' and has type ARRAY<FLOAT>, but an obs column needs INT (the label's code) or STRING, BIGINT, DOUBLE or BOOLEAN (the raw label); if it is a matrix, list it in 'scan.layers-keys'",
        "raw_X ARRAY<FLOAT> # scan.layers-keys # raw.X;raw_X # 'scan.layers-keys': 'raw.X' and 'raw_X' both map to column 'raw_X'",
        "X ARRAY<FLOAT> # scan.layers-keys # X;layer1 # 'scan.layers-keys': 'layer1' has no column 'layer1' in the table",
    })
    void badDeclarationIsRejected(String columns, String option, String value, String expected) {
        String message = option == null ? rejection(columns) : rejection(columns, option, value);
        assertThat(message).contains(expected);
    }

    @Test
    void columnsDecideTheKeysAndTheEncodingWhenNotGiven() {
        create(COLUMNS, MIXED);
        AnnDataSource<?> source = sourceOf("SELECT * FROM cells");
        CollectionOptions c = source.settings().collection();
        assertThat(c.layersKeys()).containsExactly("X", "counts");
        assertThat(c.obsmKeys()).containsExactly("X_emb");
        assertThat(c.obsKeys()).containsExactly("cell_type", "donor", "score", "batch");
        assertThat(c.encodeKeys()).containsExactly("cell_type");
        assertThat(source.settings().output()).isEqualTo(OutputForm.DENSE);
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.BOUNDED);
    }

    @Test
    void givenKeyOptionsThatAgreeWithTheColumnsAreAccepted() {
        String sparse = "ROW<indices ARRAY<INT>, `values` ARRAY<FLOAT>>";
        create("raw_X " + sparse + ", layer1 " + sparse + ", feat1 STRING, feat2 INT, store_idx INT", PARTS,
                "scan.layers-keys", "raw.X;layer1", "scan.obs-keys", "feat1;feat2", "scan.obsm-keys", "",
                "scan.encode-labels", "feat2", "scan.output", "sparse", "scan.epochs", "-1");
        AnnDataSource<?> source = sourceOf("SELECT * FROM cells");
        CollectionOptions c = source.settings().collection();
        assertThat(c.layersKeys()).containsExactly("raw.X", "layer1");
        assertThat(c.obsKeys()).containsExactly("feat1", "feat2");
        assertThat(c.encodeKeys()).containsExactly("feat2");
        assertThat(source.settings().output()).isEqualTo(OutputForm.SPARSE);
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
    }

    @Test
    void obsmColumnsOfNestedArraysReadEntriesOfMoreThanTwoDimensions() {
        create("obsm_patch ARRAY<ARRAY<FLOAT>>, obsm_cube ARRAY<ARRAY<ARRAY<FLOAT>>>, obsm_pca ARRAY<FLOAT>",
                TableFixtures.ND);
        CollectionOptions c = sourceOf("SELECT * FROM cells").settings().collection();
        assertThat(c.obsmKeys()).containsExactly("patch", "cube", "pca");
        assertThat(c.layersKeys()).isEmpty();
        assertThat(explain("SELECT obsm_cube FROM cells")).contains("obsm_cube");
    }

    @Test
    void projectionBuildsASourceThatReadsOnlyTheSelectedKeys() {
        create(COLUMNS, MIXED, "scan.unknown-label", "cell_type=NK");
        AnnDataSource<?> source = sourceOf("SELECT global_idx, donor FROM cells");
        CollectionOptions c = source.settings().collection();
        assertThat(c.layersKeys()).isEmpty();
        assertThat(c.obsmKeys()).isEmpty();
        assertThat(c.obsKeys()).containsExactly("donor");
        assertThat(c.encodeKeys()).isEmpty();

        source = sourceOf("SELECT counts, cell_type FROM cells");
        c = source.settings().collection();
        assertThat(c.layersKeys()).containsExactly("counts");
        assertThat(c.obsKeys()).containsExactly("cell_type");
        assertThat(c.encodeKeys()).containsExactly("cell_type");
        assertThat(c.unknownLabelFor("cell_type")).isEqualTo("NK");
    }

    @Test
    void storeCacheOptionsReachTheSource() {
        create(COLUMNS, MIXED, "scan.store-cache.dir", "node-cache", "scan.store-cache.max-bytes", "3 mb",
                "scan.store-cache.download-retries", "5");
        assertThat(sourceOf("SELECT cell_type FROM cells").settings().storeCache())
                .isEqualTo(new CacheSettings("node-cache", 3L << 20, 5));
        create(COLUMNS, MIXED);
        assertThat(sourceOf("SELECT cell_type FROM cells").settings().storeCache())
                .isEqualTo(new CacheSettings(null, AnnDataSourceOptions.STORE_CACHE_MAX_BYTES.defaultValue().getBytes(),
                        AnnDataSourceOptions.STORE_CACHE_DOWNLOAD_RETRIES.defaultValue()));
    }

    @ParameterizedTest(name = "epochs = {0}")
    @CsvSource({"2, true", "-1, false"})
    void theScanIsBoundedExactlyWhenEpochsAreFinite(String epochs, boolean bounded) {
        Configuration options = new Configuration();
        options.set(AnnDataTableOptions.PATH, MIXED);
        options.setString(AnnDataTableOptions.sql(AnnDataSourceOptions.EPOCHS).key(), epochs);
        ScanOptions scan = ScanOptions.from(options);
        DataType type = DataTypes.ROW(DataTypes.FIELD("cell_type", DataTypes.INT()));
        AnnDataDynamicTableSource table = new AnnDataDynamicTableSource(
                scan, ColumnMapping.resolve((RowType) type.getLogicalType(), scan), type);
        ScanTableSource.ScanRuntimeProvider provider = table.getScanRuntimeProvider(new RowContext());
        assertThat(provider.isBounded()).isEqualTo(bounded);
        assertThat(table.source().getBoundedness())
                .isEqualTo(bounded ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED);
    }

    /** A scan context that gives the planner's internal row type information. */
    private static final class RowContext implements ScanTableSource.ScanContext {
        @Override
        public <T> TypeInformation<T> createTypeInformation(DataType producedDataType) {
            return createTypeInformation(producedDataType.getLogicalType());
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> TypeInformation<T> createTypeInformation(LogicalType producedLogicalType) {
            return (TypeInformation<T>) InternalTypeInfo.of(producedLogicalType);
        }

        @Override
        public DynamicTableSource.DataStructureConverter createDataStructureConverter(DataType producedDataType) {
            throw new UnsupportedOperationException("the anndata scan builds internal rows itself");
        }
    }

    /**
     * The source the planner's table source builds for a query, after push-down: the query is
     * translated (not run) and the source found in its transformations.
     */
    private static AnnDataSource<?> sourceOf(String query) {
        DataStream<Row> stream = tEnv.toDataStream(tEnv.sqlQuery(query));
        List<AnnDataSource<?>> found = new ArrayList<>();
        collectSources(stream.getTransformation(), found);
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static void collectSources(Transformation<?> t, List<AnnDataSource<?>> found) {
        if (t instanceof SourceTransformation && ((SourceTransformation<?, ?, ?>) t).getSource() instanceof AnnDataSource) {
            found.add((AnnDataSource<?>) ((SourceTransformation<?, ?, ?>) t).getSource());
        }
        for (Transformation<?> input : t.getInputs()) {
            collectSources(input, found);
        }
    }
}
