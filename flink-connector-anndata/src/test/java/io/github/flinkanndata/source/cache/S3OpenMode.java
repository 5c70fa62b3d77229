package io.github.flinkanndata.source.cache;

/** Benchmarks in other packages: how the S3 file systems opened from now on open each range. */
public final class S3OpenMode {
    private S3OpenMode() {}

    /** True: by S3A's {@code openFile}, as before ranges were opened directly ({@link HadoopOpener}). */
    public static void viaOpenFile(boolean viaOpenFile) {
        HadoopOpener.allViaOpenFile = viaOpenFile;
    }
}
