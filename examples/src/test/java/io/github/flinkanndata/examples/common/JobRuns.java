package io.github.flinkanndata.examples.common;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs an example job's command in this JVM (on {@link JobRuntime#local()}: no other runtime is on
 * this module's class path), as its {@code main}
 * would, with a failure as one {@code error: } line on {@code err} and exit code 2 (the form of
 * {@code anndata-cli}) (test helper).
 */
public final class JobRuns {
    private JobRuns() {}

    /** Runs {@code job} (a picocli command) with {@code args}; returns its exit code. */
    public static int run(Object job, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(job);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            cmd.getErr().flush();
            return 2;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage());
            e.getCommandLine().getErr().flush();
            return 2;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
