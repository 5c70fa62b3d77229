package io.github.flinkanndata.source.record;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The part the record serializers share: each serializes one immutable record type of variable
 * length, so a copy is the record itself, nothing is reused, and copying serialized bytes goes
 * through the record. Subclasses write the format, say what {@link #createInstance} gives (a
 * constant of their own: the serializer is itself serialized with the job) and own their
 * snapshots (whose class names are in savepoints).
 */
@Internal
public abstract class RecordSerializer<T> extends TypeSerializerSingleton<T> {
    private static final long serialVersionUID = 1L;

    RecordSerializer() {}

    @Override
    public final boolean isImmutableType() {
        return true;
    }

    @Override
    public final T copy(T from) {
        return from;
    }

    @Override
    public final T copy(T from, T reuse) {
        return from;
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public final void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }
}
