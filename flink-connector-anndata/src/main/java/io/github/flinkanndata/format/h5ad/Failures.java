package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import javax.annotation.Nullable;

/**
 * Turns whatever jhdf or a codec throws into the format layer's one checked exception.
 *
 * <p>jhdf reports corrupt input in many ways: its own {@code HdfException}, but also plain {@code
 * ArrayIndexOutOfBoundsException}, {@code BufferUnderflowException}, {@code
 * NegativeArraySizeException} or a {@code StackOverflowError} on a looping structure. All of them
 * mean "this file is broken here", so all of them are wrapped with the store, the element and what
 * we were doing. Only VM errors that say nothing about the file (out of memory, internal errors)
 * are rethrown untouched.
 */
final class Failures {
    private Failures() {}

    /**
     * Wraps {@code failure}, or rethrows it if it is a VM error unrelated to the file. Callers
     * write {@code throw Failures.wrap(...)} so the compiler sees the control flow.
     */
    static AnnDataFormatException wrap(
            String store, @Nullable String element, String doing, Throwable failure) {
        if (failure instanceof AnnDataFormatException) {
            return (AnnDataFormatException) failure;
        }
        if (failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError)) {
            throw (VirtualMachineError) failure;
        }
        return new AnnDataFormatException(
                store, element, doing + ": " + describe(failure), failure);
    }

    /**
     * The failure and up to two causes, since jhdf's messages hide the codec's reason in a cause.
     */
    static String describe(Throwable failure) {
        StringBuilder sb = new StringBuilder();
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 3; depth++, t = t.getCause()) {
            if (depth > 0) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
        }
        return sb.toString();
    }
}
