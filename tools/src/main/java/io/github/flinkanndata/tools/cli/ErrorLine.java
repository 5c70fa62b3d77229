package io.github.flinkanndata.tools.cli;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.flink.runtime.client.JobExecutionException;

/**
 * The one line a failed command prints after {@code error: }.
 *
 * <p>A job's failure reaches the client wrapped several times ({@code "Failed to fetch next
 * result"} → {@code "Job execution failed."} → {@code "Recovery is suppressed ..."} → {@code
 * "could not plan ..."}), and none of the wrappers says what went wrong. The cause chain is
 * walked instead:
 *
 * <ol>
 *   <li>the outermost {@link AnnDataFormatException} (its subclass {@code CollectionException}
 *       included): its message names the store, the element and the problem, and an outer one
 *       adds what an inner one lacks (the path the user gave, not the local copy's);
 *   <li>else, below a {@link JobExecutionException}, the deepest cause with a message: the
 *       option or state that failed ({@code IllegalArgumentException}, an injected failure);
 *   <li>else the exception itself: the command's own errors are worded for the user.
 * </ol>
 */
final class ErrorLine {
    private ErrorLine() {}

    static String of(Throwable e) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean inJob = false;
        Throwable deepest = null;
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof AnnDataFormatException) {
                return t.getMessage();
            }
            inJob |= t instanceof JobExecutionException;
            if (inJob && t.getMessage() != null) {
                deepest = t;
            }
        }
        return text(deepest != null ? deepest : e);
    }

    private static String text(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
