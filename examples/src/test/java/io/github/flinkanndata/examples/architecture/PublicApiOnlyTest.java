package io.github.flinkanndata.examples.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.CanBeAnnotated;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.cache.StoreResolvers;
import org.apache.flink.annotation.Internal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The examples show what users can copy: they use the connector's and Flink's public API only.
 * No example class depends on a type marked internal (Flink's {@code @Internal}, or the project's
 * own {@code io.github.flinkanndata.annotation.Internal}, which has class retention and is read
 * from the class files), on a type nested in one, or on a member marked internal. Code that needs
 * internals (the {@code anndata-cli} tool, the benchmarks, the cluster test) lives in the {@code
 * tools} module.
 *
 * <p>One exemption, Flink's own: {@code StreamRecord} is marked {@code @Internal}, yet it is the
 * element type of the {@code @PublicEvolving} operator API ({@code
 * OneInputStreamOperator.processElement(StreamRecord)}, {@code Output.collect(StreamRecord)}),
 * which the training example's operator implements: a custom operator cannot be written without
 * it.
 */
class PublicApiOnlyTest {
    private static JavaClasses examples;

    @BeforeAll
    static void importClasses() {
        examples = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.github.flinkanndata.examples");
    }

    private static boolean marked(CanBeAnnotated element) {
        return element.isAnnotatedWith(Internal.class)
                || element.isAnnotatedWith(io.github.flinkanndata.annotation.Internal.class);
    }

    /** Marked internal, or nested in a type that is. */
    private static boolean internal(JavaClass type) {
        return marked(type) || type.getEnclosingClass().map(PublicApiOnlyTest::internal).orElse(false);
    }

    /** See the class comment. */
    private static boolean publicOperatorContract(JavaClass type) {
        return type.getName().equals("org.apache.flink.streaming.runtime.streamrecord.StreamRecord");
    }

    private static final DescribedPredicate<JavaClass> INTERNAL_TYPE = DescribedPredicate.describe(
            "internal types (@Internal, or nested in one; StreamRecord of the operator API aside)",
            type -> internal(type) && !publicOperatorContract(type));

    private static final DescribedPredicate<JavaAccess<?>> INTERNAL_MEMBER = DescribedPredicate.describe(
            "members marked @Internal",
            access -> access.getTarget().resolveMember().map(PublicApiOnlyTest::marked).orElse(false));

    @Test
    void theRuleSeesBothMarkers() {
        ClassFileImporter importer = new ClassFileImporter();
        assertThat(internal(importer.importClass(StoreResolvers.class))).as("project marker").isTrue();
        assertThat(internal(importer.importClass(org.apache.flink.client.deployment.executors.LocalExecutor.class)))
                .as("Flink's @Internal").isTrue();
        assertThat(internal(importer.importClass(AnnDataSource.class))).as("the public source").isFalse();
        assertThat(INTERNAL_TYPE.test(importer.importClass(StoreResolvers.class))).isTrue();
        assertThat(examples.contain("io.github.flinkanndata.examples.training.ContinuousTrainingJob")).isTrue();
    }

    @Test
    void examplesDependOnNoInternalType() {
        noClasses().should().dependOnClassesThat(INTERNAL_TYPE).check(examples);
    }

    @Test
    void examplesUseNoInternalMember() {
        noClasses().should().accessTargetWhere(INTERNAL_MEMBER).check(examples);
    }
}
