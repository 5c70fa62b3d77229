package io.github.flinkanndata.source;

import java.util.function.Function;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;

/**
 * A bad option value, found when the source is built: it names the option and the problem, and
 * each surface names options its own way ({@code blockSize} for the builder, {@code
 * 'scan.block-size'} for SQL), the options the problem mentions included.
 */
@PublicEvolving
public final class InvalidOptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient ConfigOption<?> option;
    private final String problem;
    private final Object[] args;

    /** {@code problem} is a {@code String.format} pattern; options among {@code args} are named by the surface. */
    InvalidOptionException(ConfigOption<?> option, String problem, Object... args) {
        super(AnnDataSourceOptions.builderName(option) + " " + format(problem, args, AnnDataSourceOptions::builderName));
        this.option = option;
        this.problem = problem;
        this.args = args.clone();
    }

    /** The option whose value is bad. */
    public ConfigOption<?> option() {
        return option;
    }

    /** The problem, with the options it mentions named by {@code naming}. */
    public String problem(Function<ConfigOption<?>, String> naming) {
        return format(problem, args, naming);
    }

    private static String format(String problem, Object[] args, Function<ConfigOption<?>, String> naming) {
        Object[] named = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            named[i] = args[i] instanceof ConfigOption ? naming.apply((ConfigOption<?>) args[i]) : args[i];
        }
        return String.format(problem, named);
    }
}
