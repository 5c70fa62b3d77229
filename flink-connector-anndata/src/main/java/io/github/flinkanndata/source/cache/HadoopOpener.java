package io.github.flinkanndata.source.cache;

import io.github.flinkanndata.format.remote.ObjectChangedException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.util.WrappingProxy;

/**
 * Opens objects of a Hadoop-based Flink file system (flink-s3-fs-hadoop, and the other file
 * systems Flink builds on Hadoop) <b>with the status a listing gave</b>, through Hadoop's {@code
 * FileSystem.openFile(path).withFileStatus(status)}, and reads a range by a positioned {@code
 * readFully}. Two requests per range are saved that way:
 *
 * <ul>
 *   <li>Flink's {@code FileSystem.open(path)} calls Hadoop's {@code open(path)}, which for S3A asks
 *       the object's status (a HEAD request) before it returns; given the status, S3A asks none;
 *   <li>seeking Flink's Hadoop input stream less than 1 MiB forward skips by reading, which S3A's
 *       random input policy turns into one GET request per 2 KiB skipped (an h5ad read at an
 *       offset of 500 KB cost 250 requests); a positioned read is one bounded GET.
 * </ul>
 *
 * <p>With the status of a listing, S3A also sends the listed entity tag with the GET ({@code
 * If-Match}, its default change-detection mode): a replaced object fails the request with S3A's
 * {@code RemoteFileChangedException}, reported here as {@link ObjectChangedException}, so the
 * bytes of a successful read are of the listed version (see {@link FlinkObjectStorage}).
 *
 * <p>Flink's {@code FileSystem} API offers neither, and the Hadoop classes live in the plugin's
 * class loader, so this goes by reflection over public methods (and the one private method of
 * S3A below, where it is there); when a public one is missing (another kind of file system,
 * another Hadoop), {@link #of} gives null and objects are opened through Flink's API as before.
 *
 * <p>Every range is opened with S3A's random input policy and no read-ahead ({@link
 * #RANGE_OPTIONS}), whatever the file system's settings, so a positioned read is one GET of
 * exactly the range. On S3A of Hadoop 3.3 the stream is opened on the fetching thread by the
 * method {@code openFile} hands to S3A's thread pool ({@link #findDirectOpen}), which saves a
 * hand-off per range. Thread-safe.
 */
@Internal
final class HadoopOpener {
    private final Object hadoopFs;
    private final Method openFile;
    private final Method withFileStatus;
    private final Method build;
    private final Method readFully;
    private final Constructor<?> newPath;
    private final Class<?> hadoopStatusClass;
    private final boolean etagChecked;
    /** {@code FileSystem.listFiles(Path, boolean)}, or null: no recursive listing. */
    @Nullable private Method listFiles;
    /**
     * S3A's own {@code open(Path, Optional<Configuration>, Optional<S3AFileStatus>)} (Hadoop 3.3),
     * or null: see {@link #directOpen}.
     */
    @Nullable private Method directOpen;
    /** {@code S3AFileStatus}, the status {@link #directOpen} takes. */
    @Nullable private Class<?> directStatusClass;
    /**
     * The options every range is opened with ({@link #RANGE_OPTIONS}) as a Hadoop {@code
     * Configuration}, for {@link #directOpen}; null where there is none.
     */
    @Nullable private Object directOptions;
    /** {@code S3ALocatedFileStatus.toS3AFileStatus()}, looked up on first use. */
    @Nullable private volatile Method toS3AFileStatus;
    /** {@code FSBuilder.opt(String, String)}, to give {@code openFile} the same options; or null. */
    @Nullable private Method opt;
    private volatile boolean viaOpenFile = allViaOpenFile;
    /** Tests and benchmarks: openers made from now on open every range by {@code openFile}. */
    static volatile boolean allViaOpenFile;

    /**
     * How every range is opened: S3A's random input policy without read-ahead, so that a positioned
     * read is one GET of exactly the range, whatever the file system's own settings (its default
     * policy requests the rest of the object; its default read-ahead of 64 KiB makes a GET of an 8
     * KiB range fetch 64 KiB and then drain the rest before the stream closes, which cost about
     * 2.5 times the CPU per request on loopback). The reader asks only for the ranges it needs
     * and coalesces them itself ({@link io.github.flinkanndata.format.remote.RangeReader}). Other
     * file systems ignore these keys.
     */
    static final String[][] RANGE_OPTIONS = {
        {"fs.s3a.experimental.input.fadvise", "random"}, {"fs.s3a.readahead.range", "0"}};

    private HadoopOpener(Object hadoopFs, Method openFile, Method withFileStatus, Method build, Method readFully,
            Constructor<?> newPath, Class<?> hadoopStatusClass, boolean etagChecked) {
        this.hadoopFs = hadoopFs;
        this.openFile = openFile;
        this.withFileStatus = withFileStatus;
        this.build = build;
        this.readFully = readFully;
        this.newPath = newPath;
        this.hadoopStatusClass = hadoopStatusClass;
        this.etagChecked = etagChecked;
    }

    /**
     * Whether the client refuses bytes of another entity tag than the status it was opened with:
     * S3A's change detection in mode {@code server} (the default: {@code If-Match} on the GET) or
     * {@code client} (the response's tag compared), with the entity tag as its source (the
     * default). With {@code s3.change.detection.mode: none} or {@code warn}, or the version id as
     * the source, reads are not verified and a status is asked after each ({@link
     * FlinkObjectStorage#readVerified}).
     */
    boolean etagChecked() {
        return etagChecked;
    }

    private static boolean etagChecked(Object hadoopFs) {
        try {
            Object conf = hadoopFs.getClass().getMethod("getConf").invoke(hadoopFs);
            Method get = conf.getClass().getMethod("get", String.class, String.class);
            String mode = String.valueOf(get.invoke(conf, "fs.s3a.change.detection.mode", "server")).trim();
            String source = String.valueOf(get.invoke(conf, "fs.s3a.change.detection.source", "etag")).trim();
            return (mode.equalsIgnoreCase("server") || mode.equalsIgnoreCase("client"))
                    && source.equalsIgnoreCase("etag");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** The opener for {@code fs}, or null if it is not a Hadoop-based file system this can drive. */
    @Nullable
    static HadoopOpener of(FileSystem fs) {
        Object inner = fs;
        for (int i = 0; i < 8 && inner instanceof WrappingProxy; i++) {
            inner = ((WrappingProxy<?>) inner).getWrappedDelegate();
        }
        try {
            Method get = inner.getClass().getMethod("getHadoopFileSystem");
            Object hadoopFs = get.invoke(inner);
            if (hadoopFs == null) {
                return null;
            }
            ClassLoader loader = hadoopFs.getClass().getClassLoader();
            Class<?> fsClass = Class.forName("org.apache.hadoop.fs.FileSystem", false, loader);
            Class<?> pathClass = Class.forName("org.apache.hadoop.fs.Path", false, loader);
            Class<?> statusClass = Class.forName("org.apache.hadoop.fs.FileStatus", false, loader);
            Class<?> builderClass = Class.forName("org.apache.hadoop.fs.FutureDataInputStreamBuilder", false, loader);
            Class<?> streamClass = Class.forName("org.apache.hadoop.fs.FSDataInputStream", false, loader);
            HadoopOpener opener = new HadoopOpener(hadoopFs, fsClass.getMethod("openFile", pathClass),
                    builderClass.getMethod("withFileStatus", statusClass), builderClass.getMethod("build"),
                    streamClass.getMethod("readFully", long.class, byte[].class, int.class, int.class),
                    pathClass.getConstructor(java.net.URI.class), statusClass, etagChecked(hadoopFs));
            try {
                opener.listFiles = fsClass.getMethod("listFiles", pathClass, boolean.class);
            } catch (NoSuchMethodException e) {
                // an old Hadoop: listings directory by directory
            }
            try {
                opener.opt = builderClass.getMethod("opt", String.class, String.class);
            } catch (NoSuchMethodException e) {
                // no per-open options: the file system's own settings apply
            }
            opener.findDirectOpen(pathClass);
            return opener;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * Looks up the method S3A's {@code openFile(path).withFileStatus(status).build()} runs: in
     * Hadoop 3.3 (flink-s3-fs-hadoop 2.x bundles 3.3.4) {@code build()} submits {@code open(path,
     * options, status)} to S3A's unbounded thread pool and returns a future, so every range request
     * cost a hand-off to a pool thread and back (about a quarter of this JVM's CPU per request on
     * loopback: the pool thread's work, two wake-ups, the future). Calling that method on the
     * fetching thread does the same work without the hand-off. It is private, so it is used only
     * where it exists with exactly that signature and may be made accessible; otherwise (another
     * Hadoop, a security manager) ranges are opened by {@code openFile} as before.
     */
    private void findDirectOpen(Class<?> pathClass) {
        try {
            Class<?> statusClass = Class.forName("org.apache.hadoop.fs.s3a.S3AFileStatus", false,
                    hadoopFs.getClass().getClassLoader());
            for (Class<?> c = hadoopFs.getClass(); c != null; c = c.getSuperclass()) {
                if (!c.getName().equals("org.apache.hadoop.fs.s3a.S3AFileSystem")) {
                    continue;
                }
                Method m = c.getDeclaredMethod("open", pathClass, java.util.Optional.class, java.util.Optional.class);
                if (!Closeable.class.isAssignableFrom(m.getReturnType())) {
                    return;
                }
                Class<?> confClass = Class.forName("org.apache.hadoop.conf.Configuration", false,
                        hadoopFs.getClass().getClassLoader());
                Object options = confClass.getConstructor(boolean.class).newInstance(false);
                Method set = confClass.getMethod("set", String.class, String.class);
                for (String[] kv : RANGE_OPTIONS) {
                    set.invoke(options, kv[0], kv[1]);
                }
                m.setAccessible(true);
                directOptions = options;
                directOpen = m;
                directStatusClass = statusClass;
                return;
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // not S3A of Hadoop 3.3, or not accessible: openFile as before
            directOpen = null;
            directStatusClass = null;
            directOptions = null;
        }
    }

    /** Whether ranges are opened without S3A's hand-off to its pool ({@link #findDirectOpen}). */
    boolean opensDirectly() {
        return directOpen != null && !viaOpenFile;
    }

    /** Tests and benchmarks: open every range by {@code openFile}, as without {@link #findDirectOpen}. */
    void openViaOpenFile(boolean always) {
        viaOpenFile = always;
    }

    /** Whether {@link #listFiles} works (Hadoop's recursive listing: one flat, paged listing on S3A). */
    boolean listsRecursively() {
        return listFiles != null;
    }

    /** An object of a recursive listing: its URI, length, modification time and Hadoop status. */
    record Listed(java.net.URI uri, long length, long modified, Object status) {}

    /**
     * The files below the directory at {@code dir}, at any depth, by Hadoop's {@code
     * listFiles(path, true)} (S3A: one listing of the prefix without delimiter, a request per
     * thousand objects, instead of one listing per directory); empty if there is no such directory.
     */
    java.util.List<Listed> listFiles(java.net.URI dir) throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(hadoopFs.getClass().getClassLoader());
        try {
            Object it = listFiles.invoke(hadoopFs, newPath.newInstance(dir), true);
            Method hasNext = it.getClass().getMethod("hasNext");
            Method next = it.getClass().getMethod("next");
            hasNext.setAccessible(true); // the iterators are often private classes with public methods
            next.setAccessible(true);
            java.util.List<Listed> out = new java.util.ArrayList<>();
            while ((Boolean) hasNext.invoke(it)) {
                Object status = next.invoke(it);
                Class<?> c = status.getClass();
                if ((Boolean) c.getMethod("isDirectory").invoke(status)) {
                    continue;
                }
                Object path = c.getMethod("getPath").invoke(status);
                java.net.URI uri = (java.net.URI) path.getClass().getMethod("toUri").invoke(path);
                out.add(new Listed(uri, (Long) c.getMethod("getLen").invoke(status),
                        (Long) c.getMethod("getModificationTime").invoke(status), status));
            }
            return out;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.io.FileNotFoundException) {
                return java.util.List.of();
            }
            throw failure(cause);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot list " + dir + " recursively: " + e, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * The Hadoop status behind a Flink status of this file system (Flink's Hadoop file systems
     * wrap it and expose it as {@code getInternalFileStatus()}), or null.
     */
    @Nullable
    Object hadoopStatus(FileStatus status) {
        try {
            Object s = status.getClass().getMethod("getInternalFileStatus").invoke(status);
            return hadoopStatusClass.isInstance(s) ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    boolean isHadoopStatus(Object status) {
        return hadoopStatusClass.isInstance(status);
    }

    /** The entity tag of a Hadoop status (S3A's {@code getETag()}), quotes removed, or null. */
    @Nullable
    static String etag(@Nullable Object hadoopStatus) {
        if (hadoopStatus == null) {
            return null;
        }
        try {
            Object tag = hadoopStatus.getClass().getMethod("getETag").invoke(hadoopStatus);
            if (!(tag instanceof String) || ((String) tag).isEmpty()) {
                return null;
            }
            String t = (String) tag;
            return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Reads exactly {@code length} bytes at {@code offset} of the object {@code hadoopStatus}
     * describes, at {@code uri}, in one positioned read of a stream opened with that status.
     */
    void read(java.net.URI uri, Object hadoopStatus, long offset, byte[] dst, int dstOffset, int length)
            throws IOException {
        // as Flink's plugin wrapper does around every call: the Hadoop client loads classes and
        // resources through the context class loader, which on a fetch thread may be the closed
        // class loader of an earlier job
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(hadoopFs.getClass().getClassLoader());
        try {
            readInPluginLoader(uri, hadoopStatus, offset, dst, dstOffset, length);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private void readInPluginLoader(java.net.URI uri, Object hadoopStatus, long offset, byte[] dst, int dstOffset,
            int length) throws IOException {
        Object stream;
        Object direct = directOpen == null || viaOpenFile ? null : s3aStatus(hadoopStatus);
        try {
            if (direct != null) {
                stream = directOpen.invoke(hadoopFs, newPath.newInstance(uri), java.util.Optional.of(directOptions),
                        java.util.Optional.of(direct));
            } else {
                Object builder = withFileStatus.invoke(openFile.invoke(hadoopFs, newPath.newInstance(uri)),
                        hadoopStatus);
                if (opt != null) {
                    for (String[] kv : RANGE_OPTIONS) {
                        builder = opt.invoke(builder, kv[0], kv[1]);
                    }
                }
                stream = ((CompletableFuture<?>) build.invoke(builder)).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening " + uri);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (InvocationTargetException e) {
            throw failure(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot open " + uri + ": " + e, e);
        }
        try (Closeable in = (Closeable) stream) {
            readFully.invoke(in, offset, dst, dstOffset, length);
        } catch (InvocationTargetException e) {
            throw failure(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IOException("cannot read " + uri + ": " + e, e);
        }
    }

    /**
     * {@code hadoopStatus} as the {@code S3AFileStatus} {@link #directOpen} takes (a status of a
     * recursive listing is an {@code S3ALocatedFileStatus}, converted as {@code openFile} converts
     * it), or null: opened by {@code openFile}.
     */
    @Nullable
    private Object s3aStatus(Object hadoopStatus) {
        if (directStatusClass.isInstance(hadoopStatus)) {
            return hadoopStatus;
        }
        try {
            Method convert = toS3AFileStatus;
            if (convert == null || convert.getDeclaringClass() != hadoopStatus.getClass()) {
                convert = hadoopStatus.getClass().getMethod("toS3AFileStatus");
                toS3AFileStatus = convert;
            }
            Object s = convert.invoke(hadoopStatus);
            return directStatusClass.isInstance(s) ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** An exception of the Hadoop client as an {@link IOException}; a refused version as a changed object. */
    private static IOException failure(Throwable t) {
        Throwable c = t;
        while ((c instanceof UncheckedIOException || c instanceof java.util.concurrent.CompletionException
                || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        for (Throwable x = c; x != null; x = x.getCause()) {
            if (x.getClass().getSimpleName().equals("RemoteFileChangedException")) {
                return new ObjectChangedException(x.getMessage(), x);
            }
        }
        if (c instanceof IOException) {
            return (IOException) c;
        }
        return new IOException(String.valueOf(c), c);
    }
}
