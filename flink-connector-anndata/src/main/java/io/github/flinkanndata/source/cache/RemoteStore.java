package io.github.flinkanndata.source.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * What a remote store is right now: one file (h5ad, zipped zarr) or a directory tree (zarr),
 * listed with every file's length and modification time. Its {@link #key()} changes whenever
 * any of them does, so a rewritten store gets a new cache entry instead of a stale copy.
 *
 * <p>A directory's own modification time says nothing about the files below it (object stores
 * have no directories at all), hence the full listing; it is also what the copy needs.
 */
@Internal
final class RemoteStore {
    /** One file of the store; {@code relative} uses '/' and is empty for a single-file store. */
    static final class File {
        final Path path;
        final String relative;
        final long length;
        final long modified;

        File(Path path, String relative, long length, long modified) {
            this.path = path;
            this.relative = relative;
            this.length = length;
            this.modified = modified;
        }
    }

    final Path root;
    final FileSystem fs;
    final boolean directory;
    final List<File> files;
    final long bytes;

    private RemoteStore(Path root, FileSystem fs, boolean directory, List<File> files) {
        this.root = root;
        this.fs = fs;
        this.directory = directory;
        this.files = List.copyOf(files);
        this.bytes = files.stream().mapToLong(f -> f.length).sum();
    }

    /**
     * Lists {@code root} through its Flink file system.
     *
     * @throws IOException naming the path if it does not exist or cannot be listed
     */
    static RemoteStore list(Path root) throws IOException {
        FileSystem fs = root.getFileSystem();
        FileStatus status;
        try {
            status = fs.getFileStatus(root);
        } catch (java.io.FileNotFoundException e) {
            throw new java.io.FileNotFoundException("no such file or directory: " + root);
        }
        List<File> files = new ArrayList<>();
        if (status.isDir()) {
            walk(fs, root, "", files);
        } else {
            files.add(new File(root, "", status.getLen(), status.getModificationTime()));
        }
        return new RemoteStore(root, fs, status.isDir(), files);
    }

    private static void walk(FileSystem fs, Path dir, String prefix, List<File> out) throws IOException {
        FileStatus[] children = fs.listStatus(dir);
        if (children == null) {
            throw new IOException("cannot list directory " + dir);
        }
        // sorted so that the key does not depend on the listing order of the file system
        java.util.Arrays.sort(children, (a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
        for (FileStatus c : children) {
            String rel = prefix + c.getPath().getName();
            if (c.isDir()) {
                walk(fs, c.getPath(), rel + "/", out);
            } else {
                out.add(new File(c.getPath(), rel, c.getLen(), c.getModificationTime()));
            }
        }
    }

    /** The last path segment, made safe as a local file name ({@code store} for a bare root). */
    String name() {
        String n = root.getName().replaceAll("[^A-Za-z0-9._-]", "_");
        return n.isEmpty() || n.equals(".") || n.equals("..") ? "store" : n;
    }

    /** A digest of the URI and every file's relative path, length and modification time. */
    String key() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(root.toUri().toString().getBytes(StandardCharsets.UTF_8));
            for (File f : files) {
                md.update(("\n" + f.relative + "\t" + f.length + "\t" + f.modified).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return root + " (" + files.size() + " files, " + bytes + " bytes)";
    }
}
