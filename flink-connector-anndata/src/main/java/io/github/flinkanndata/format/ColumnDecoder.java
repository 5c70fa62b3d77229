package io.github.flinkanndata.format;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.format.tree.Node;
import io.github.flinkanndata.format.tree.NodeRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one dataframe column from whichever encoding stores it. The category lookup follows
 * lamindb's precedence (docs/semantics.md §8.1): compound obs uses {@code uns/<col>_categories}; a
 * dataframe with {@code __categories} uses {@code __categories/<col>} for every column; a group
 * column uses its {@code categories} child; a dataset column resolves its {@code categories}
 * attribute (HDF5 object reference or relative path string).
 */
final class ColumnDecoder {
    private ColumnDecoder() {}

    static Column decode(DataFrame df, String name) throws AnnDataFormatException {
        Column c = df.isCompound() ? decodeCompoundField(df, name) : decodeGroupChild(df, name);
        if (c.length() != df.length()) {
            throw new AnnDataFormatException(df.container().location(), df.path() + "/" + name,
                    "column has " + c.length() + " rows but the dataframe has " + df.length());
        }
        return c;
    }

    private static Column decodeCompoundField(DataFrame df, String name) throws AnnDataFormatException {
        ArrayNode a = df.compound();
        if (a.fieldShape(name).length != 0) {
            throw new AnnDataFormatException(a.store(), a.path() + "/" + name,
                    "a compound field with per-row arrays is not a column");
        }
        Object values = a.readField(name, 0, Math.toIntExact(df.length()));
        DataType type = a.fieldType(name);
        Node cats = df.container().node("uns/" + name + "_categories");
        if (cats != null && type.isInteger()) {
            return categorical(df.container(), a.path() + "/" + name, name, values, cats, false);
        }
        return Column.plain(name, type, values);
    }

    private static Column decodeGroupChild(DataFrame df, String name) throws AnnDataFormatException {
        Container c = df.container();
        GroupNode g = df.group();
        Node node = AnnDataStore.child(c, g, name);
        if (node instanceof GroupNode) {
            return decodeEncodedGroup(c, (GroupNode) node, name, df.length());
        }
        ArrayNode a = (ArrayNode) node;
        if (a.shape().length != 1) {
            throw new AnnDataFormatException(c.location(), a.path(),
                    "a column must be 1-D, shape is " + java.util.Arrays.toString(a.shape()));
        }
        Node cats = null;
        boolean ordered = false;
        if (df.has("__categories") && c.node(df.path() + "/__categories/" + name) != null) {
            cats = c.node(df.path() + "/__categories/" + name);
            ordered = Attrs.of(cats).truthy("ordered");
        } else {
            Object ref = a.attributes().get("categories");
            if (ref != null) {
                String target = ref instanceof NodeRef ? ((NodeRef) ref).path()
                        : ref instanceof String ? df.path() + "/" + ref : null;
                cats = target == null ? null : c.node(target);
                if (cats == null) {
                    throw new AnnDataFormatException(c.location(), a.path(),
                            "'categories' attribute " + ref + " does not point at an array");
                }
                ordered = Attrs.of(cats).truthy("ordered");
            }
        }
        Object values = readRows(a, df.length());
        if (cats != null) {
            return categorical(c, a.path(), name, values, cats, ordered);
        }
        return Column.plain(name, a.dataType(), values);
    }

    private static Column decodeEncodedGroup(Container c, GroupNode g, String name, long rows)
            throws AnnDataFormatException {
        Attrs attrs = Attrs.of(g);
        String enc = attrs.encodingType();
        if ("categorical".equals(enc)) {
            ArrayNode codes = array(c, g, "codes");
            return categorical(c, g.path(), name, readRows(codes, rows), AnnDataStore.child(c, g, "categories"),
                    attrs.truthy("ordered"));
        }
        ColumnKind kind;
        if ("nullable-integer".equals(enc)) {
            kind = ColumnKind.NULLABLE_INTEGER;
        } else if ("nullable-boolean".equals(enc)) {
            kind = ColumnKind.NULLABLE_BOOLEAN;
        } else if ("nullable-string-array".equals(enc)) {
            kind = ColumnKind.NULLABLE_STRING;
        } else {
            throw new AnnDataFormatException(c.location(), g.path(),
                    "unsupported column encoding '" + enc + "'");
        }
        ArrayNode values = array(c, g, "values");
        ArrayNode mask = array(c, g, "mask");
        if (mask.dataType() != DataType.BOOL || mask.shape()[0] != values.shape()[0]) {
            throw new AnnDataFormatException(c.location(), mask.path(),
                    "mask must be a bool array as long as values");
        }
        return Column.nullable(name, kind, values.dataType(), readRows(values, rows),
                (boolean[]) mask.readAll());
    }

    private static Column categorical(Container c, String element, String name, Object rawCodes,
            Node catsNode, boolean ordered) throws AnnDataFormatException {
        if (rawCodes instanceof float[] || rawCodes instanceof double[] || rawCodes instanceof String[]) {
            throw new AnnDataFormatException(c.location(), element, "category codes must be integers");
        }
        int[] codes = Values.toIntArray(rawCodes);
        ArrayNode catsArray = catsNode instanceof ArrayNode ? (ArrayNode) catsNode
                : array(c, (GroupNode) catsNode, "values"); // a nullable-string categories group
        Object raw = catsArray.readAll();
        List<Object> categories = new ArrayList<>(Values.length(raw));
        for (int i = 0; i < Values.length(raw); i++) {
            categories.add(Values.label(raw, catsArray.dataType(), i));
        }
        int bad = Column.checkCodes(codes, categories.size());
        if (bad >= 0) {
            throw new AnnDataFormatException(c.location(), element,
                    "category code " + Values.asLong(rawCodes, bad) + " at row " + bad
                            + " is outside [-1, " + categories.size() + ")");
        }
        return Column.categorical(name, codes, categories, catsArray.dataType(), ordered);
    }

    /**
     * Reads a per-row array after checking its declared length against the dataframe's: a corrupt
     * shape must fail before it is allocated (the reader fuzzer found columns declaring millions of
     * rows in a 20-row dataframe being read whole, up to an OutOfMemoryError).
     */
    private static Object readRows(ArrayNode a, long rows) throws AnnDataFormatException {
        if (a.shape()[0] != rows) {
            throw new AnnDataFormatException(a.store(), a.path(),
                    "column has " + a.shape()[0] + " rows but the dataframe has " + rows);
        }
        return a.readAll();
    }

    private static ArrayNode array(Container c, GroupNode g, String name) throws AnnDataFormatException {
        Node n = AnnDataStore.child(c, g, name);
        if (!(n instanceof ArrayNode) || ((ArrayNode) n).shape().length != 1) {
            throw new AnnDataFormatException(c.location(), n.path(), "expected a 1-D array");
        }
        return (ArrayNode) n;
    }
}
