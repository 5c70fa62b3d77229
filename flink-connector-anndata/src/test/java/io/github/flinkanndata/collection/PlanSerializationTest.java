package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.Fixtures.A1;
import static io.github.flinkanndata.collection.Fixtures.A2;
import static io.github.flinkanndata.collection.Fixtures.A3;
import static io.github.flinkanndata.collection.Fixtures.on;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkanndata.format.AnnDataStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plan is the hand-over from the planning side to the reading side: it survives Java
 * serialisation, and decoders built from a deserialised plan over freshly opened stores return
 * exactly the samples of the collection that planned it.
 */
class PlanSerializationTest {

    private static byte[] serialize(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object deserialize(byte[] b) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            return in.readObject();
        }
    }

    @Test
    void aDeserialisedPlanDecodesTheSameSamples() throws Exception {
        CollectionOptions options = on(A1, A2, A3).join(Join.OUTER).obsKeys("feat1", "feat2")
                .unknownLabel(java.util.Map.of("feat2", "A")).layersKeys("X", "layer1", "raw.X")
                .obsmKeys("X_pca").obsFilter("feat2", "A", "B").dtype(OutputType.FLOAT64).build();
        try (AnnDataCollection original = AnnDataCollection.open(options)) {
            byte[] bytes = serialize(original.plan());
            CollectionPlan copy = (CollectionPlan) deserialize(bytes);
            assertThat(copy.size()).isEqualTo(original.size());
            assertThat(copy.varJoint()).isEqualTo(original.varJoint());
            assertThat(copy.encoders()).isEqualTo(original.encoders());
            assertThat(copy.encoders().get("feat2").code("A")).isEqualTo(-1);
            // the reader side: its own stores, one decoder per store, range reads
            for (int s = 0; s < copy.storeCount(); s++) {
                try (AnnDataStore store = AnnDataStore.open(Path.of(copy.store(s).path()))) {
                    SampleDecoder decoder = SampleDecoder.create(copy, s, store);
                    List<Sample> samples = decoder.decode(0, copy.store(s).keptRows(), false);
                    for (Sample sample : samples) {
                        assertThat(sample.toString()).isEqualTo(original.get(sample.index()).toString());
                    }
                }
            }
            try (AnnDataCollection reopened = AnnDataCollection.open(copy)) {
                for (long g = 0; g < original.size(); g++) {
                    assertThat(reopened.get(g).toString()).isEqualTo(original.get(g).toString());
                }
            }
        }
    }

    @Test
    void optionsSurviveSerialisation() throws Exception {
        CollectionOptions options = on(A1).obsKeys("feat1").obsFilter("feat1", Missing.MISSING, 3, "A").build();
        CollectionOptions copy = (CollectionOptions) deserialize(serialize(options));
        assertThat(copy.toString()).isEqualTo(options.toString());
        assertThat(copy.obsFilter().get("feat1").get(0)).isSameAs(Missing.MISSING);
    }

    @Test
    void aDecoderRefusesAStoreThatIsNotThePlannedOne() throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(on(A1, A2).build());
                AnnDataStore wrong = AnnDataStore.open(Fixtures.store(Fixtures.N))) {
            assertThatThrownBy(() -> SampleDecoder.create(c.plan(), 0, wrong))
                    .isInstanceOf(CollectionException.class).hasMessageContaining("does not match the plan");
        }
    }
}
