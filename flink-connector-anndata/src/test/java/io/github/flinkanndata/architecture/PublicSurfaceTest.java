package io.github.flinkanndata.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.Public;
import org.apache.flink.annotation.PublicEvolving;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What users are promised stays promisable: a {@code @Public} or {@code @PublicEvolving} type
 * exposes no internal type (Flink's {@code @Internal}, or the project's own marker {@code
 * io.github.flinkanndata.annotation.Internal} of the Flink-free layers) through its public
 * surface: the supertypes it extends, the return, parameter and thrown types of its public
 * methods and constructors, and the types of its public fields, generic arguments included. A
 * public member that is itself marked internal is not part of that surface.
 *
 * <p>One narrow exemption: the methods a type implements for a Flink interface (the {@code
 * Source}'s {@code createReader}, {@code getSplitSerializer}, ...), and the type arguments it
 * gives such an interface, are Flink's contract with the runtime, which calls them; users never
 * do. They name the split and the enumerator checkpoint, which stay internal, as in Flink's own
 * {@code KafkaSource}.
 */
class PublicSurfaceTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.github.flinkanndata");
    }

    private static boolean internal(JavaClass type) {
        return type.isAnnotatedWith(Internal.class)
                || type.isAnnotatedWith(io.github.flinkanndata.annotation.Internal.class);
    }

    private static boolean internal(JavaMember member) {
        return member.isAnnotatedWith(Internal.class)
                || member.isAnnotatedWith(io.github.flinkanndata.annotation.Internal.class);
    }

    private static boolean flink(JavaClass type) {
        return type.getPackageName().startsWith("org.apache.flink");
    }

    /** Whether {@code member} implements a method of a Flink supertype (same name and arity). */
    private static boolean implementsFlink(JavaClass owner, JavaMember member) {
        if (!(member instanceof JavaMethod method)) {
            return false;
        }
        return Stream.concat(owner.getAllRawSuperclasses().stream(), owner.getAllRawInterfaces().stream())
                .filter(PublicSurfaceTest::flink)
                .flatMap(t -> t.getMethods().stream())
                .anyMatch(m -> m.getName().equals(method.getName())
                        && m.getRawParameterTypes().size() == method.getRawParameterTypes().size());
    }

    private static final ArchCondition<JavaClass> EXPOSE_NO_INTERNAL_TYPE =
            new ArchCondition<>("expose no internal type in their public signatures") {
                @Override
                public void check(JavaClass type, ConditionEvents events) {
                    List<JavaType> supertypes = new ArrayList<>(type.getInterfaces());
                    type.getSuperclass().ifPresent(supertypes::add);
                    supertypes.replaceAll(t -> flink(t.toErasure()) ? t.toErasure() : t);
                    report(type, type.getName() + " extends", supertypes, events);
                    for (JavaMember member : type.getMembers()) {
                        if (!member.getModifiers().contains(JavaModifier.PUBLIC) || internal(member)
                                || implementsFlink(type, member)) {
                            continue;
                        }
                        List<JavaType> exposed = new ArrayList<>();
                        if (member instanceof JavaField field) {
                            exposed.add(field.getType());
                        } else if (member instanceof JavaCodeUnit code) {
                            exposed.add(code.getReturnType());
                            code.getParameters().forEach(p -> exposed.add(p.getType()));
                            code.getThrowsClause().getTypes().forEach(exposed::add);
                        }
                        report(type, member.getFullName(), exposed, events);
                    }
                }

                private void report(JavaClass owner, String where, List<JavaType> exposed, ConditionEvents events) {
                    exposed.stream()
                            .flatMap(t -> t.getAllInvolvedRawTypes().stream())
                            .filter(PublicSurfaceTest::internal)
                            .distinct()
                            .forEach(t -> events.add(SimpleConditionEvent.violated(owner,
                                    where + " exposes the internal type " + t.getName())));
                }
            };

    @Test
    void publicTypesExposeNoInternalType() {
        classes().that().areAnnotatedWith(PublicEvolving.class).or().areAnnotatedWith(Public.class)
                .should(EXPOSE_NO_INTERNAL_TYPE)
                .check(classes);
    }

    /** The project's marker has class retention only: the rule must still see it in the bytecode. */
    @Test
    void theProjectsMarkerIsVisibleToTheRule() {
        assertThat(internal(classes.get(io.github.flinkanndata.format.PyFormat.class))).isTrue();
        assertThat(internal(classes.get(io.github.flinkanndata.format.tree.AnnDataFormatException.class))).isFalse();
    }
}
