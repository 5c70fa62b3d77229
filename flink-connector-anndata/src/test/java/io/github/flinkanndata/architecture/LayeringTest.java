package io.github.flinkanndata.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers {@code format -> collection -> source -> table} only look down, and the two bottom
 * layers stay free of Flink so they can be used (and tested) without it.
 */
class LayeringTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.github.flinkanndata");
    }

    @Test
    void formatImportsNoFlink() {
        noClasses().that().resideInAPackage("io.github.flinkanndata.format..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.flink..")
                .check(classes);
    }

    @Test
    void collectionImportsNoFlink() {
        noClasses().that().resideInAPackage("io.github.flinkanndata.collection..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.flink..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void formatDoesNotLookUp() {
        noClasses().that().resideInAPackage("io.github.flinkanndata.format..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.github.flinkanndata.collection..", "io.github.flinkanndata.source..",
                        "io.github.flinkanndata.table..")
                .check(classes);
    }

    /**
     * An output format only turns samples into records: it knows the records and the collection,
     * never the reader, the enumerator or the splits that drive it (so every format gets the same
     * checkpoints), and the records know no format.
     */
    @Test
    void outputFormatsStayOutOfTheSourceMachinery() {
        noClasses().that().resideInAPackage("io.github.flinkanndata.source.output..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.github.flinkanndata.source.reader..", "io.github.flinkanndata.source.enumerator..",
                        "io.github.flinkanndata.source.split..", "io.github.flinkanndata.source.assigner..",
                        "io.github.flinkanndata.table..")
                .check(classes);
        noClasses().that().resideInAPackage("io.github.flinkanndata.source.record..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.github.flinkanndata.source.output..", "io.github.flinkanndata.source.reader..")
                .check(classes);
    }

    /**
     * No cycle between packages, with no exception: every package slice ({@code format}, {@code
     * format.tree}, {@code source}, {@code source.reader}, ...) only looks at packages that do not
     * look back. The backends register as services instead of being named by {@code format}, and
     * what the source's subpackages share with it lives below it ({@code source.config}).
     */
    @Test
    void everyPackageSliceIsFreeOfCycles() {
        slices().matching("io.github.flinkanndata.(**)").should().beFreeOfCycles().check(classes);
    }
}
