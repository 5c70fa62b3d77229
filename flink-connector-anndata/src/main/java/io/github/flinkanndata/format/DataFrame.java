package io.github.flinkanndata.format;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.ArrayNode;
import io.github.flinkanndata.format.tree.Container;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.GroupNode;
import io.github.flinkanndata.format.tree.Node;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * An obs or var dataframe, in any layout anndata ever wrote:
 *
 * <ul>
 *   <li><b>group</b> (0.7 and later): {@code _index} names the index child, {@code column-order}
 *       lists the columns; 0.7 keeps categories under {@code __categories};
 *   <li><b>compound dataset</b> (before 0.7): one field per column, the index in field {@code
 *       index}, categories in {@code uns/<column>_categories}.
 * </ul>
 *
 * Columns are decoded on request by {@link ColumnDecoder}. Thread-safe.
 */
public final class DataFrame {
    private final Container container;
    private final String path;
    @Nullable private final GroupNode group;
    @Nullable private final ArrayNode compound;
    private final String indexKey;
    private final List<String> columnOrder;
    private final List<String> inventory;
    private final long length;

    private DataFrame(Container container, String path, @Nullable GroupNode group,
            @Nullable ArrayNode compound, String indexKey, List<String> columnOrder,
            List<String> inventory, long length) {
        this.container = container;
        this.path = path;
        this.group = group;
        this.compound = compound;
        this.indexKey = indexKey;
        this.columnOrder = List.copyOf(columnOrder);
        this.inventory = List.copyOf(inventory);
        this.length = length;
    }

    /** Reads the dataframe's layout (not its columns) from the node at {@code path}. */
    static DataFrame open(Container container, String path) throws AnnDataFormatException {
        Node node = container.node(path);
        if (node == null) {
            throw new AnnDataFormatException(container.location(), path, "dataframe is missing");
        }
        if (node instanceof ArrayNode) {
            return openCompound(container, path, (ArrayNode) node);
        }
        GroupNode g = (GroupNode) node;
        Attrs attrs = Attrs.of(g);
        String indexKey = attrs.string("_index");
        List<String> children = g.children();
        if (indexKey == null) {
            throw new AnnDataFormatException(container.location(), path,
                    "dataframe group has no '_index' attribute naming its index");
        }
        if (!children.contains(indexKey)) {
            throw new AnnDataFormatException(container.location(), path,
                    "index child '" + indexKey + "' named by '_index' does not exist");
        }
        List<String> order = attrs.stringList("column-order");
        if (order == null) {
            order = new ArrayList<>(children);
            order.remove(indexKey);
            order.remove("__categories");
        }
        long length = indexLength(container, AnnDataStore.child(container, g, indexKey));
        return new DataFrame(container, path, g, null, indexKey, order, children, length);
    }

    private static DataFrame openCompound(Container container, String path, ArrayNode a)
            throws AnnDataFormatException {
        if (a.dataType() != DataType.COMPOUND || a.shape().length != 1) {
            throw new AnnDataFormatException(container.location(), path,
                    "dataframe must be a group or a 1-D compound dataset, found "
                            + a.dataType().numpyName() + " of rank " + a.shape().length);
        }
        List<String> fields = a.fieldNames();
        String indexKey = fields.contains("index") ? "index" : fields.contains("_index") ? "_index" : null;
        if (indexKey == null) {
            throw new AnnDataFormatException(container.location(), path,
                    "legacy compound dataframe has no 'index' field; fields are " + fields);
        }
        List<String> order = new ArrayList<>(fields);
        order.remove(indexKey);
        return new DataFrame(container, path, null, a, indexKey, order, fields, a.shape()[0]);
    }

    private static long indexLength(Container c, Node index) throws AnnDataFormatException {
        if (index instanceof ArrayNode) {
            long[] shape = ((ArrayNode) index).shape();
            if (shape.length != 1) {
                throw new AnnDataFormatException(c.location(), index.path(), "index must be 1-D");
            }
            return shape[0];
        }
        Node values = c.node(index.path() + "/values");
        if (values instanceof ArrayNode && ((ArrayNode) values).shape().length == 1) {
            return ((ArrayNode) values).shape()[0];
        }
        throw new AnnDataFormatException(c.location(), index.path(),
                "index must be a string array or a nullable-string-array group");
    }

    public String path() {
        return path;
    }

    public long length() {
        return length;
    }

    /** Name of the child (or compound field) holding the row names. */
    public String indexKey() {
        return indexKey;
    }

    /** Column names in the stored column order (never the index). */
    public List<String> columnOrder() {
        return columnOrder;
    }

    /**
     * Every child of the group (or every field of a compound dataset), the index and {@code
     * __categories} included: what lamindb sees as the available obs keys.
     */
    public List<String> inventory() {
        return inventory;
    }

    public boolean has(String key) {
        return inventory.contains(key);
    }

    boolean isCompound() {
        return compound != null;
    }

    @Nullable
    GroupNode group() {
        return group;
    }

    @Nullable
    ArrayNode compound() {
        return compound;
    }

    Container container() {
        return container;
    }

    /** The row names, as strings (numeric indexes rendered the way Python does). */
    public List<String> index() throws AnnDataFormatException {
        Column c = ColumnDecoder.decode(this, indexKey);
        List<String> out = new ArrayList<>(c.length());
        for (int i = 0; i < c.length(); i++) {
            Object label = c.label(i);
            out.add(label == null ? "nan" : PyFormat.str(label));
        }
        return out;
    }

    /** The decoded column, or null if this dataframe has no such child or field. */
    @Nullable
    public Column column(String name) throws AnnDataFormatException {
        return has(name) ? ColumnDecoder.decode(this, name) : null;
    }
}
