package io.github.flinkanndata.tools.cli;

import io.github.flinkanndata.examples.features.FeaturePipelineJob;
import io.github.flinkanndata.examples.training.ContinuousTrainingJob;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ScopeType;

/**
 * The {@code anndata-cli} command-line tool: looks into AnnData stores without Python.
 *
 * <pre>
 * java -jar tools/target/anndata-cli.jar inspect PATH [--json]
 * java -jar tools/target/anndata-cli.jar help dump       (or: dump --help)
 * </pre>
 *
 * Every failure exits non-zero with a one-line message on stderr that names the store and the
 * element at fault ({@link ErrorLine}), also when it happened inside a Flink job.
 */
@Command(
        name = "anndata-cli",
        // INHERIT: every subcommand gets -h/--help and -V/--version, which picocli handles before
        // it checks the subcommand's required parameters (a PATH, --keys, --output-dir)
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        version = "anndata-cli 0.1.0",
        description = "Inspect AnnData stores (.h5ad, .zarr, .zarr.zip) and stream them through Flink.",
        subcommands = {InspectCommand.class, DumpCommand.class, SummaryCommand.class, WeightsCommand.class,
            StreamCommand.class, FeaturePipelineJob.class, ContinuousTrainingJob.class, HelpCommand.class})
public final class AnnDataCli {

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the tool with the given streams and returns its exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new AnnDataCli(), new Factory());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    cmd.getErr().println("error: " + ErrorLine.of(e));
                    cmd.getErr().flush();
                    return 2;
                });
        // bad options get the same one-line form as bad stores, not picocli's usage dump
        cli.setParameterExceptionHandler(
                (e, a) -> {
                    e.getCommandLine().getErr().println("error: " + e.getMessage());
                    e.getCommandLine().getErr().flush();
                    return 2;
                });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Runs the example jobs ({@code features}, {@code train}) on an {@link EmbeddedCluster} of each run. */
    private static final class Factory implements IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == FeaturePipelineJob.class) {
                return cls.cast(new FeaturePipelineJob(EmbeddedCluster::new));
            }
            if (cls == ContinuousTrainingJob.class) {
                return cls.cast(new ContinuousTrainingJob(EmbeddedCluster::new));
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
