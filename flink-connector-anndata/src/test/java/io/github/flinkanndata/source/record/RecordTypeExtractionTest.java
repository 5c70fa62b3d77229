package io.github.flinkanndata.source.record;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.junit.jupiter.api.Test;

/**
 * A user's function over the source's records gets the records' own type information, not a Kryo
 * fallback: Kryo copies a {@link CellRecord} between chained operators into a record whose sample
 * has lost its decoder (a {@code NullPointerException} in {@code SampleDecoder$Run.layer} at the
 * first read of a copied cell; found by the soak test, whose counting map sits after the source).
 */
class RecordTypeExtractionTest {

    static final class SameCell implements MapFunction<CellRecord, CellRecord> {
        @Override
        public CellRecord map(CellRecord value) {
            return value;
        }
    }

    static final class SameBatch implements MapFunction<CellBatch, CellBatch> {
        @Override
        public CellBatch map(CellBatch value) {
            return value;
        }
    }

    @Test
    void extractedTypesAreTheRecordsOwn() {
        assertThat(TypeInformation.of(CellRecord.class)).isSameAs(CellRecordTypeInfo.INSTANCE);
        assertThat(TypeInformation.of(CellBatch.class)).isSameAs(CellBatchTypeInfo.INSTANCE);
        assertThat(TypeExtractor.getMapReturnTypes(new SameCell(), CellRecordTypeInfo.INSTANCE))
                .isSameAs(CellRecordTypeInfo.INSTANCE);
        assertThat(TypeExtractor.getMapReturnTypes(new SameBatch(), CellBatchTypeInfo.INSTANCE))
                .isSameAs(CellBatchTypeInfo.INSTANCE);
    }
}
