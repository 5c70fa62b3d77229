package io.github.flinkanndata.format.fuzz;

import javax.annotation.Nullable;

/**
 * What one fuzz case did. {@link Kind#CLEAN} and {@link Kind#REJECTED} satisfy the contract; every
 * other kind is a finding.
 */
final class Verdict {
    enum Kind {
        /** Everything read without error. */
        CLEAN,
        /** An {@code AnnDataFormatException}: the input was refused properly. */
        REJECTED,
        /** Any other exception or error escaped the reader. */
        ESCAPED,
        /** The case ran past its CPU-time or wall-clock bound. */
        HUNG,
        /** The case allocated more than its bound. */
        ALLOCATED
    }

    final Kind kind;
    final long allocatedBytes;
    final long cpuNanos;
    @Nullable final Throwable failure;
    final String detail;

    Verdict(Kind kind, long allocatedBytes, long cpuNanos, @Nullable Throwable failure, String detail) {
        this.kind = kind;
        this.allocatedBytes = allocatedBytes;
        this.cpuNanos = cpuNanos;
        this.failure = failure;
        this.detail = detail;
    }

    boolean isFinding() {
        return kind != Kind.CLEAN && kind != Kind.REJECTED;
    }

    /** A short key grouping findings of the same cause: kind, exception type and top frame. */
    String signature() {
        if (failure == null) {
            return kind.name();
        }
        StackTraceElement[] st = failure.getStackTrace();
        String top = st.length == 0 ? "?" : st[0].getClassName() + "." + st[0].getMethodName();
        return kind + " " + failure.getClass().getName() + " at " + top;
    }

    @Override
    public String toString() {
        return kind + " (" + allocatedBytes / 1024 + " KiB, " + cpuNanos / 1_000_000 + " ms cpu) "
                + detail;
    }
}
