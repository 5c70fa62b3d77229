package io.github.flinkanndata.collection;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.collection.PlanCodecIo.Reader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The versioned binary form of a {@link CollectionPlan}, for checkpoints and for shipping a plan
 * from the planning side (a Flink enumerator) to readers without Java serialisation. Plain
 * {@link DataOutput}/{@link DataInput}; no Flink.
 *
 * <p><b>Kept rows.</b> {@code write(plan, out, false)} leaves out the filter's kept rows and
 * writes only their count per store, so the bytes are O(stores + genes + vocabulary), never
 * O(rows): this is the form to checkpoint. A reader of such a plan opens its store and gets the
 * rows back with {@link CollectionPlanner#completeStore} (which {@link SampleDecoder#create} and
 * {@link AnnDataCollection#open(CollectionPlan)} call by themselves); a store whose filter no
 * longer keeps the planned number of rows is refused as changed since planning.
 *
 * <p><b>Versions.</b> {@link #write} starts with the format version, so the form can be nested
 * inline in another serializer's bytes; {@link #read} dispatches on it and keeps reading every
 * version ever written (pinned bytes of each are in the tests). {@link #toBytes} adds a magic
 * number in front and {@link #fromBytes} refuses trailing bytes. Values are big-endian.
 *
 * <p>Version 2 has version 1's layout; only a store's var index may also be -1 (a gene of a
 * growing collection's fixed gene space that the store lacks, inner form, or a store gene
 * outside the space, outer form). {@link #write} uses it only for plans that need it.
 *
 * <p>Version 1 (the first; still written for every plan without unmapped genes):
 *
 * <pre>
 * int      version = 1
 * options  strings paths; strings layersKeys; opt strings obsKeys; opt strings obsmKeys;
 *          opt filter obsFilter = int keys, per key (string key, int n, n x label);
 *          byte join (0 inner, 1 outer, 2 none); strings encodeKeys;
 *          byte unknown label (0 none | 1 one label for every key: label
 *                              | 2 per key: int n, n x (string key, label));
 *          bool cacheCategories; bool parallel;
 *          byte dtype (0 the stored type, 1 float32, 2 float64, 3 int8, 4 int16, 5 int32, 6 int64);
 *          long containerOptions.chunkCacheBytes
 * int      stores, then per store:
 *          string path; long rows; long xCols; opt ints varIndices;
 *          bools hasLayer; bools hasObsm; bools hasObs;
 *          byte rows (0 all rows, unfiltered | 1 kept rows: ints, ascending
 *                     | 2 kept count only: int count)
 * byte     effective join (codes as join)
 * opt      strings varJoint
 * int      encoders, then per encoder (distinct encodeKeys, first-seen order):
 *          string key, int n, n x (label, int code)
 *
 * string = int byte length (at most 2^24), UTF-8 bytes (no 64 KiB limit, unlike writeUTF)
 * strings = int n, n x string     ints = int n, n x int     bools = int n, n x bool
 * bool = byte 0 or 1              opt T = bool present, then T if present
 * label = byte tag, then: 0 MISSING (nothing) | 1 string | 2 long | 3 double (raw IEEE bits)
 *         | 4 boolean (bool)
 * toBytes = int magic 0xADA7A001, the plan, nothing after
 * </pre>
 *
 * <p>Codes of enums are fixed here, not taken from declaration order, so reordering an enum
 * cannot change the meaning of stored bytes. Reads validate everything a plan promises (counts,
 * codes, ascending kept rows, join indices in range, encoder codes) and fail with an {@link
 * IOException} naming the part that is corrupt. Stateless and thread-safe.
 */
@Internal
public final class CollectionPlanCodec {
    /**
     * The version {@link #write} writes for every plan version 1 can hold (every static
     * collection's plan), so such plans stay readable by builds that know only version 1.
     */
    public static final int CURRENT_VERSION = 1;
    /**
     * Version 1's layout with var index -1 allowed: written only for a plan that has an unmapped
     * gene (a growing collection's fixed gene space, {@link CollectionGrowth}).
     */
    public static final int VERSION_UNMAPPED_VARS = 2;
    /** The first int of {@link #toBytes}. */
    public static final int MAGIC = 0xADA7A001;

    // wire codes: position = code
    static final Join[] JOINS = {Join.INNER, Join.OUTER, Join.NONE};
    static final OutputType[] DTYPES = {null, OutputType.FLOAT32, OutputType.FLOAT64, OutputType.INT8,
            OutputType.INT16, OutputType.INT32, OutputType.INT64};
    static final int UNKNOWN_NONE = 0;
    static final int UNKNOWN_ONE = 1;
    static final int UNKNOWN_PER_KEY = 2;
    static final int ROWS_ALL = 0;
    static final int ROWS_KEPT = 1;
    static final int ROWS_COUNT = 2;

    private CollectionPlanCodec() {}

    /** {@link #MAGIC}, then {@link #write}. */
    public static byte[] toBytes(CollectionPlan plan, boolean withKeptRows) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        write(plan, out, withKeptRows);
        out.flush();
        return bytes.toByteArray();
    }

    /**
     * Reads what {@link #toBytes} wrote, all of it.
     *
     * @throws IOException if the magic number is wrong, the plan is corrupt or truncated, or
     *     bytes follow it
     */
    public static CollectionPlan fromBytes(byte[] bytes) throws IOException {
        ByteArrayInputStream stream = new ByteArrayInputStream(bytes);
        DataInputStream in = new DataInputStream(stream);
        if (bytes.length < 4) {
            throw new IOException("not a collection plan: " + bytes.length + " bytes, too short for the magic number");
        }
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException(String.format(
                    "not a collection plan: magic number 0x%08X, expected 0x%08X", magic, MAGIC));
        }
        CollectionPlan plan = read(in);
        if (stream.available() > 0) {
            throw new IOException("corrupt collection plan: " + stream.available()
                    + " trailing bytes after the plan (of " + bytes.length + ")");
        }
        return plan;
    }

    /**
     * Writes the plan in the current version, led by the version number.
     *
     * @param withKeptRows whether filtered stores carry their kept rows; without them only the
     *     count is written (the O(stores + genes + vocabulary) form)
     * @throws IllegalArgumentException if {@code withKeptRows} is asked of a plan that was itself
     *     read without kept rows and not completed
     * @throws IOException from {@code out}, or for a string that has no UTF-8 form
     */
    public static void write(CollectionPlan plan, DataOutput out, boolean withKeptRows) throws IOException {
        out.writeInt(hasUnmappedVars(plan) ? VERSION_UNMAPPED_VARS : CURRENT_VERSION);
        writeOptions(plan.options(), out);
        out.writeInt(plan.storeCount());
        for (int s = 0; s < plan.storeCount(); s++) {
            writeStore(plan.store(s), s, out, withKeptRows);
        }
        out.writeByte(code(plan.effectiveJoin()));
        PlanCodecIo.writeOptionalStrings(out, plan.varJoint());
        out.writeInt(plan.encoders().size());
        for (LabelEncoder e : plan.encoders().values()) {
            PlanCodecIo.writeString(out, e.key());
            out.writeInt(e.size());
            for (int i = 0; i < e.size(); i++) {
                PlanCodecIo.writeLabel(out, e.labelAt(i));
                out.writeInt(e.codeAt(i));
            }
        }
    }

    /**
     * Reads a plan written by {@link #write} in any version this class knows.
     *
     * @throws IOException naming the corrupt part, for an unknown version, a truncated input or
     *     a value a plan cannot hold
     */
    public static CollectionPlan read(DataInput in) throws IOException {
        Reader r = new Reader(in);
        try {
            int version = r.readInt();
            switch (version) {
                case 1:
                    return PlanReaderV1.read(r, false);
                case VERSION_UNMAPPED_VARS:
                    return PlanReaderV1.read(r, true);
                default:
                    throw new IOException("unsupported collection plan version " + version
                            + " (this build reads versions 1 to " + VERSION_UNMAPPED_VARS + ")");
            }
        } catch (EOFException e) {
            EOFException named = new EOFException("collection plan truncated: input ended while reading " + r.where());
            named.initCause(e);
            throw named;
        }
    }

    private static boolean hasUnmappedVars(CollectionPlan plan) {
        for (StorePlan s : plan.stores()) {
            int[] idx = s.varIndices();
            for (int i = 0; idx != null && i < idx.length; i++) {
                if (idx[i] < 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void writeOptions(CollectionOptions o, DataOutput out) throws IOException {
        PlanCodecIo.writeStrings(out, o.paths());
        PlanCodecIo.writeStrings(out, o.layersKeys());
        PlanCodecIo.writeOptionalStrings(out, o.obsKeys());
        PlanCodecIo.writeOptionalStrings(out, o.obsmKeys());
        Map<String, List<Object>> filter = o.obsFilter();
        out.writeBoolean(filter != null);
        if (filter != null) {
            out.writeInt(filter.size());
            for (Map.Entry<String, List<Object>> e : filter.entrySet()) {
                PlanCodecIo.writeString(out, e.getKey());
                out.writeInt(e.getValue().size());
                for (Object label : e.getValue()) {
                    PlanCodecIo.writeLabel(out, label);
                }
            }
        }
        out.writeByte(code(o.join()));
        PlanCodecIo.writeStrings(out, o.encodeKeys());
        Map<String, Object> perKey = o.unknownLabelMap();
        Object one = o.unknownLabelForEveryKey();
        if (perKey != null) {
            out.writeByte(UNKNOWN_PER_KEY);
            out.writeInt(perKey.size());
            for (Map.Entry<String, Object> e : perKey.entrySet()) {
                PlanCodecIo.writeString(out, e.getKey());
                PlanCodecIo.writeLabel(out, e.getValue());
            }
        } else if (one != null) {
            out.writeByte(UNKNOWN_ONE);
            PlanCodecIo.writeLabel(out, one);
        } else {
            out.writeByte(UNKNOWN_NONE);
        }
        out.writeBoolean(o.cacheCategories());
        out.writeBoolean(o.parallel());
        out.writeByte(code(o.dtype()));
        out.writeLong(o.containerOptions().chunkCacheBytes());
    }

    private static void writeStore(StorePlan p, int s, DataOutput out, boolean withKeptRows) throws IOException {
        PlanCodecIo.writeString(out, p.path());
        out.writeLong(p.rows());
        out.writeLong(p.xCols());
        int[] varIndices = p.varIndices();
        out.writeBoolean(varIndices != null);
        if (varIndices != null) {
            PlanCodecIo.writeInts(out, varIndices);
        }
        PlanCodecIo.writeBools(out, p.layerMask());
        PlanCodecIo.writeBools(out, p.obsmMask());
        PlanCodecIo.writeBools(out, p.obsMask());
        if (!p.isFiltered()) {
            out.writeByte(ROWS_ALL);
        } else if (withKeptRows) {
            if (!p.isComplete()) {
                throw new IllegalArgumentException("store " + s + " (" + p.path() + ") holds only its kept-row count;"
                        + " write the plan without kept rows, or complete it first (CollectionPlanner.completeStore)");
            }
            out.writeByte(ROWS_KEPT);
            PlanCodecIo.writeInts(out, p.keptRowsOrNull());
        } else {
            out.writeByte(ROWS_COUNT);
            out.writeInt(Math.toIntExact(p.keptRows())); // kept rows are int-indexed (ObsFilter)
        }
    }

    private static int code(Join join) {
        for (int i = 0; i < JOINS.length; i++) {
            if (JOINS[i] == join) {
                return i;
            }
        }
        throw new IllegalArgumentException("no wire code for join " + join);
    }

    private static int code(@Nullable OutputType dtype) {
        for (int i = 0; i < DTYPES.length; i++) {
            if (DTYPES[i] == dtype) {
                return i;
            }
        }
        throw new IllegalArgumentException("no wire code for dtype " + dtype);
    }
}
