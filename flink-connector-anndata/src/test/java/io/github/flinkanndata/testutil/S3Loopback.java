package io.github.flinkanndata.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.PluginDescriptor;

/**
 * A real S3 endpoint on loopback for tests: the pinned {@code moto} server (python/requirements-s3.txt,
 * installed into {@code python/.venv-s3} by {@code python/setup-venv.sh s3}, which {@code
 * scripts/test.sh} runs) on a free port, and Flink's own {@code flink-s3-fs-hadoop} file system
 * loaded as a plugin (from {@code target/test-plugins}, copied there by the build) and pointed at
 * it with path-style access.
 *
 * <p>A missing server or plugin <b>fails</b> the test with what to run; it is never skipped. The
 * server's executable may be named by the system property {@code anndata.s3.server}.
 *
 * <p>For benchmarks the server may instead be {@code gofakes3} (github.com/johannesboyne/gofakes3,
 * a Go server with an in-memory backend, far cheaper per request than moto; docs/remote.md says how
 * to build it): chosen by {@code -Danndata.s3.server.kind=gofakes3}, or by an executable named by
 * {@code anndata.s3.server} whose file name contains {@code gofakes3}. Without a path the kind
 * {@code gofakes3} looks for {@code target/gofakes3/bin/gofakes3} in the working directory or above.
 * The correctness tests keep moto (the default, pinned): gofakes3 honours {@code If-Match} only on
 * PUT, so it does not answer a GET of a replaced object with 412 as moto does.
 */
public final class S3Loopback implements AutoCloseable {
    public static final String ACCESS_KEY = "testing";
    public static final String SECRET_KEY = "testing";

    /** The S3-protocol server on loopback. */
    public enum Kind {
        /** The pinned moto server (Python): the default, and what the correctness tests use. */
        MOTO,
        /** gofakes3 (Go, in-memory backend, path-style): a cheap server for benchmarks. */
        GOFAKES3
    }

    private final Process process;
    private final int port;
    private final Path log;
    private final Kind kind;

    private S3Loopback(Process process, int port, Path log, Kind kind) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.kind = kind;
    }

    /** Starts the server and points Flink's {@code s3://} file system at it. */
    public static S3Loopback start(Path work) throws Exception {
        Kind kind = configuredKind();
        Path server = server(kind);
        int port = freePort();
        Path log = work.resolve(kind == Kind.MOTO ? "moto.log" : "gofakes3.log");
        List<String> command = kind == Kind.MOTO
                ? List.of(server.toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
                // path-style is its default; buckets are created by the tests, as with moto
                : List.of(server.toString(), "-host", "127.0.0.1:" + port, "-backend", "memory");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // never outlives the test JVM
        S3Loopback s3 = new S3Loopback(p, port, log, kind);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!s3.answers()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                s3.close();
                throw new AssertionError("the loopback S3 server did not start: " + tail(log));
            }
            Thread.sleep(100);
        }
        configureFlink(s3.endpoint(), 0);
        return s3;
    }

    /**
     * (Re)initialises Flink's file systems with the S3 plugin pointed at {@code endpoint}; {@code
     * clientRetries} is the S3 client's own retry budget (the connector retries on top of it).
     */
    public static void configureFlink(String endpoint, int clientRetries) throws IOException {
        System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true"); // quiet tests
        Configuration conf = new Configuration();
        conf.setString("s3.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        conf.setString("s3.endpoint", endpoint);
        conf.setString("s3.path.style.access", "true");
        conf.setString("s3.access-key", ACCESS_KEY);
        conf.setString("s3.secret-key", SECRET_KEY);
        conf.setString("s3.endpoint.region", "us-east-1");
        // random: each seek+read is a bounded range request, not a GET of the rest of the object
        conf.setString("s3.experimental.input.fadvise", "random");
        conf.setString("s3.readahead.range", "0");
        conf.setString("s3.attempts.maximum", String.valueOf(Math.max(1, clientRetries)));
        conf.setString("s3.retry.limit", String.valueOf(clientRetries));
        conf.setString("s3.connection.establish.timeout", "2000");
        conf.setString("s3.connection.timeout", "5000");
        // benchmarks: further options of the S3 file system, "key=value,key=value" (Flink's s3.* keys)
        for (String kv : System.getProperty("anndata.s3.conf", "").split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                conf.setString(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        Path jar = plugin();
        PluginDescriptor d = new PluginDescriptor("s3-fs-hadoop", new URL[] {jar.toUri().toURL()}, new String[0]);
        String[] parentFirst = CoreOptions.getPluginParentFirstLoaderPatterns(conf);
        FileSystem.initialize(conf, new DefaultPluginManager(List.of(d), parentFirst));
    }

    /** Back to Flink's file systems without the plugin (the other tests of the JVM). */
    public static void resetFlink() {
        FileSystem.initialize(new Configuration(), null);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Which server this is. */
    public Kind kind() {
        return kind;
    }

    /** The server's log (its request log: benchmarks may keep a copy). */
    public Path log() {
        return log;
    }

    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            int code = c.getResponseCode();
            c.disconnect();
            return code > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates a bucket (both servers accept unsigned requests for set-up). */
    public void createBucket(String bucket) throws IOException {
        request("PUT", "/" + bucket, null);
    }

    /** Creates one object (set-up: an unsigned request, fast). */
    public void put(String bucket, String key, byte[] data) throws IOException {
        request("PUT", "/" + bucket + "/" + key, data);
    }

    /**
     * Replaces (or creates) one object, through Flink's S3 file system: signed, since moto lets an
     * unsigned request create an object but not replace it.
     */
    public void replace(String bucket, String key, byte[] data) throws IOException {
        org.apache.flink.core.fs.Path p = new org.apache.flink.core.fs.Path("s3://" + bucket + "/" + key);
        try (org.apache.flink.core.fs.FSDataOutputStream out =
                p.getFileSystem().create(p, FileSystem.WriteMode.OVERWRITE)) {
            out.write(data);
        }
    }

    public void delete(String bucket, String key) throws IOException {
        org.apache.flink.core.fs.Path p = new org.apache.flink.core.fs.Path("s3://" + bucket + "/" + key);
        p.getFileSystem().delete(p, false);
    }

    /** Uploads a local file or directory tree under {@code prefix}; returns its {@code s3://} URI. */
    public String upload(Path local, String bucket, String prefix) throws IOException {
        if (Files.isDirectory(local)) {
            try (Stream<Path> walk = Files.walk(local)) {
                List<Path> files = new ArrayList<>();
                walk.filter(Files::isRegularFile).forEach(files::add);
                for (Path f : files) {
                    put(bucket, prefix + "/" + local.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
            }
        } else {
            put(bucket, prefix, Files.readAllBytes(local));
        }
        return "s3://" + bucket + "/" + prefix;
    }

    private void request(String method, String path, byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + path).toURL().openConnection();
        c.setRequestMethod(method);
        if (body != null) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int code = c.getResponseCode();
        try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
            if (in != null) {
                in.readAllBytes();
            }
        }
        if (code >= 300) {
            throw new IOException(method + " " + path + " answered " + code);
        }
    }

    /**
     * The requests the server has answered so far, by HTTP method, from its request log (werkzeug
     * logs one line per request: {@code "GET /bucket/key HTTP/1.1" 206 -}); set-up uploads count
     * as PUTs. Benchmarks print the difference over an epoch. gofakes3 logs one {@code INFO} line
     * per request ({@code INFO GET OBJECT Bucket: b Object: k}, {@code INFO LIST BUCKET}, ...),
     * counted the same way.
     */
    public java.util.Map<String, Integer> requestCounts() throws IOException {
        java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        if (kind == Kind.GOFAKES3) {
            for (String line : Files.readAllLines(log)) {
                int i = line.indexOf(" INFO ");
                String op = i < 0 ? null : gofakes3Request(line.substring(i + 6));
                if (op != null) {
                    counts.merge(op, 1, Integer::sum);
                }
            }
            return counts;
        }
        for (String line : Files.readAllLines(log)) {
            int q = line.indexOf('"');
            int sp = q < 0 ? -1 : line.indexOf(' ', q);
            if (sp > q + 1 && line.indexOf(" HTTP/", sp) > 0) {
                String method = line.substring(q + 1, sp).replaceAll("[^A-Z]", "");
                String path = line.substring(sp + 1, line.indexOf(" HTTP/", sp));
                // a listing is a GET of the bucket with a query, not of an object
                boolean listing = method.equals("GET") && path.matches("/[^/?]+/?(\\?.*)?");
                counts.merge(listing ? "LIST" : method, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The method (or LIST) of a gofakes3 request log line, null for its other lines. */
    private static String gofakes3Request(String message) {
        if (message.startsWith("GET OBJECT")) {
            return "GET";
        } else if (message.startsWith("HEAD OBJECT") || message.startsWith("HEAD BUCKET")) {
            return "HEAD";
        } else if (message.startsWith("LIST BUCKET") || message.startsWith("GET BUCKET LOCATION")) {
            return "LIST"; // a GET of the bucket, as the moto count has it
        } else if (message.startsWith("CREATE OBJECT") || message.startsWith("CREATE BUCKET")) {
            return "PUT";
        } else if (message.startsWith("DELETE")) {
            return "DELETE";
        }
        return null;
    }

    /** CPU time the server process has used so far (Linux: from /proc; -1 elsewhere). */
    public long serverCpuNanos() {
        try {
            String stat = Files.readString(Paths.get("/proc", String.valueOf(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            return ticks * 10_000_000L; // 100 ticks per second
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@code after - before} per method (what an epoch asked of the server). */
    public static java.util.Map<String, Integer> difference(java.util.Map<String, Integer> after,
            java.util.Map<String, Integer> before) {
        java.util.Map<String, Integer> d = new java.util.TreeMap<>();
        after.forEach((k, v) -> {
            int n = v - before.getOrDefault(k, 0);
            if (n != 0) {
                d.put(k, n);
            }
        });
        return d;
    }

    /** Stops the server (an "endpoint down" test calls this mid-job). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code anndata.s3.server.kind}, else from the executable's file name, else moto. */
    private static Kind configuredKind() {
        String prop = System.getProperty("anndata.s3.server.kind");
        if (prop != null && !prop.isBlank()) {
            switch (prop.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "moto":
                    return Kind.MOTO;
                case "gofakes3":
                    return Kind.GOFAKES3;
                default:
                    throw new AssertionError("anndata.s3.server.kind is moto or gofakes3, not " + prop);
            }
        }
        String server = System.getProperty("anndata.s3.server");
        if (server != null && !server.isBlank()) {
            Path name = Paths.get(server).getFileName();
            if (name != null && name.toString().toLowerCase(java.util.Locale.ROOT).contains("gofakes3")) {
                return Kind.GOFAKES3;
            }
        }
        return Kind.MOTO;
    }

    private static Path server(Kind kind) {
        String prop = System.getProperty("anndata.s3.server");
        if (prop != null && !prop.isBlank()) {
            Path p = Paths.get(prop);
            if (!Files.isExecutable(p)) {
                throw new AssertionError("anndata.s3.server names " + p + ", which is no executable");
            }
            return p;
        }
        if (kind == Kind.GOFAKES3) {
            Path go = upward(Paths.get("target", "gofakes3", "bin", "gofakes3"));
            if (go == null) {
                throw new AssertionError("no gofakes3: build it into target/gofakes3/bin (docs/remote.md) or name it"
                        + " with -Danndata.s3.server=...");
            }
            return go;
        }
        Path found = upward(Paths.get("python", ".venv-s3", "bin", "moto_server"));
        if (found == null) {
            throw new AssertionError("no loopback S3 server: run 'bash python/setup-venv.sh s3' (scripts/test.sh does)"
                    + " or name moto_server with -Danndata.s3.server=...");
        }
        return found;
    }

    private static Path plugin() throws IOException {
        Path dir = upward(Paths.get("target", "test-plugins", "s3-fs-hadoop"));
        if (dir == null) {
            dir = upward(Paths.get("flink-connector-anndata", "target", "test-plugins", "s3-fs-hadoop"));
        }
        if (dir == null) {
            throw new AssertionError("no flink-s3-fs-hadoop plugin under target/test-plugins: the build's"
                    + " process-test-resources phase copies it (mvn ... verify)");
        }
        Path folder = dir;
        try (Stream<Path> jars = Files.list(folder)) {
            return jars.filter(p -> p.toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no jar in " + folder));
        }
    }

    private static Path upward(Path relative) {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
