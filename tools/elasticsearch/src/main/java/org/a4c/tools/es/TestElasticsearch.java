package org.a4c.tools.es;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.MockNode;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * A real single-node Elasticsearch for tests and the demo, run from Maven Central jars.
 *
 * <p>Usage: {@code java -Xmx512m -jar test-elasticsearch.jar --port N --data DIR [--cluster-name X]
 * [--node-name Y]}. {@code --port 0} lets the OS pick a port (the ready line tells which).
 *
 * <p>Contract with callers: stdout carries exactly one line, a JSON object
 * {@code {"ready":true,"port":N,"pid":P,"url":"http://127.0.0.1:N"}}, printed once the HTTP layer
 * answers; everything else (logs, errors) goes to stderr. SIGTERM closes the node and exits 0;
 * a startup failure exits 1.
 *
 * <p>Why MockNode: ES publishes no runnable server distribution on Maven Central, and the production
 * bootstrap ({@code org.elasticsearch.bootstrap.Elasticsearch}) insists on modules/plugins directories,
 * the entitlement agent and bootstrap checks (and refuses root). The test framework's MockNode runs a
 * Node in-process with plugins taken from the class path (here Netty4 for HTTP/transport and our
 * {@link RestRootPlugin} for {@code GET /}) and no bootstrap checks, no jar-hell check and no security
 * manager. Two test-framework traps are avoided: see {@link #newMockNode} and the exclusions in pom.xml.
 *
 * <p>What is there: the server's core (index/document/search/bulk/mapping/cluster APIs, standard
 * analyzer, core field types). What is not (modules not on Maven Central): x-pack (so no security: plain
 * HTTP, no auth), painless scripts, reindex/update-by-query/delete-by-query, analysis-common and
 * mapper-extras.
 */
public final class TestElasticsearch {

    private TestElasticsearch() {}

    public static void main(String[] args) throws Exception {
        // Keep the real stdout for the ready line only; anything else that writes to System.out (a stray
        // library println) lands on stderr so it can never be mistaken for, or interleaved with, that line.
        final PrintStream readyOut = System.out;
        System.setOut(System.err);

        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("test-elasticsearch: " + e.getMessage());
            System.err.println("usage: --port N --data DIR [--cluster-name X] [--node-name Y]");
            System.exit(2);
            return;
        }

        // Our own log4j config (to stderr); without it log4j would pick the test framework's
        // log4j2-test.properties, which logs to stdout and needs the randomized-testing runner.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "classpath:test-elasticsearch-log4j2.properties");
        }

        // ES's own logging facade (org.elasticsearch.logging) needs its log4j-backed provider installed,
        // which the production bootstrap and ESTestCase normally do.
        LogConfigurator.configureESLogging();

        Path data = options.data.toAbsolutePath().normalize();
        Files.createDirectories(data.resolve("data"));
        Files.createDirectories(data.resolve("logs"));

        Settings settings = Settings.builder()
            .put("path.home", data.toString())
            .put("path.data", data.resolve("data").toString())
            .put("path.logs", data.resolve("logs").toString())
            .put("cluster.name", options.clusterName)
            .put("node.name", options.nodeName)
            .put("network.host", "127.0.0.1")
            .put("http.port", Integer.toString(options.port))
            // Transport is unused by a single node but must bind; let the OS pick so it never clashes.
            .put("transport.port", "0")
            .put("discovery.type", "single-node")
            // A dev box or CI disk is often > 90% full; the disk allocator would then refuse to allocate
            // shards and turn the cluster red for reasons unrelated to what the tests inject.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // Small machine (2 cores): keep thread pools small.
            .put("node.processors", Math.min(2, Runtime.getRuntime().availableProcessors()))
            .build();

        final MockNode node;
        try {
            node = newMockNode(settings, List.of(Netty4Plugin.class, RestRootPlugin.class));
        } catch (Throwable t) {
            failStart(t);
            return;
        }

        // Registered before start() so a SIGTERM that arrives while the node starts still closes it.
        final CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int code = 0;
            try {
                node.prepareForClose();
                node.close();
                if (node.awaitClose(30, TimeUnit.SECONDS) == false) {
                    System.err.println("test-elasticsearch: node did not close within 30s");
                    code = 1;
                }
            } catch (Throwable t) {
                System.err.println("test-elasticsearch: error while closing: " + t);
                code = 1;
            } finally {
                closed.countDown();
                System.err.flush();
                // A JVM ended by SIGTERM exits 143 even after a clean close; halt with our own code so
                // callers can tell a clean shutdown (0) from a failed one.
                Runtime.getRuntime().halt(code);
            }
        }, "test-elasticsearch-shutdown"));

        final String url;
        final int port;
        try {
            node.start();
            port = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
            url = "http://127.0.0.1:" + port;
            awaitHttp(url, 120_000);
        } catch (Throwable t) {
            failStart(t);
            return;
        }

        readyOut.println("{\"ready\":true,\"port\":" + port + ",\"pid\":" + ProcessHandle.current().pid()
            + ",\"url\":\"" + url + "\"}");
        readyOut.flush();

        closed.await(); // the shutdown hook ends the process
    }

    /** Exits 1 at once: node threads may be non-daemon, and a half-started node must not hang around. */
    private static void failStart(Throwable t) {
        System.err.println("test-elasticsearch: failed to start: " + t);
        t.printStackTrace(System.err);
        System.err.flush();
        Runtime.getRuntime().halt(1);
    }

    /**
     * MockNode's public constructors prepare the environment through {@code ESTestCase.getPortRange()},
     * whose class initialiser runs the test bootstrap (BootstrapForTesting: natives, security manager,
     * randomized-testing state) and refuses to run as root ("can not run elasticsearch as root"), which
     * a container or CI runner often is. We already choose the ports, so we build the Environment
     * ourselves and call the private {@code MockNode(Environment, plugins, forbidPrivateIndexSettings,
     * onClose)} constructor, which does no such thing.
     */
    private static MockNode newMockNode(Settings settings, Collection<Class<? extends Plugin>> plugins) throws Exception {
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "a4c-test-node");
        Constructor<MockNode> ctor = MockNode.class.getDeclaredConstructor(
            Environment.class, Collection.class, boolean.class, Closeable.class);
        ctor.setAccessible(true);
        Closeable onClose = () -> {};
        try {
            return ctor.newInstance(environment, plugins, true, onClose);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /** Polls GET / until it answers 200, to a deadline: the ready line must mean "HTTP answers". */
    private static void awaitHttp(String url, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url + "/").toURL().openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(5000);
                int status = c.getResponseCode();
                c.getInputStream().readAllBytes();
                c.disconnect();
                if (status == 200) return;
                last = new IOException("HTTP " + status);
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("HTTP did not answer on " + url + " within " + timeoutMs + " ms", last);
    }

    private record Options(int port, Path data, String clusterName, String nodeName) {
        static Options parse(String[] args) {
            Integer port = null;
            Path data = null;
            String clusterName = "a4c-test";
            String nodeName = "a4c-test-node";
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + a);
                String v = args[++i];
                switch (a) {
                    case "--port" -> {
                        try {
                            port = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("bad --port " + v);
                        }
                        if (port < 0 || port > 65535) throw new IllegalArgumentException("bad --port " + v);
                    }
                    case "--data" -> data = Path.of(v);
                    case "--cluster-name" -> clusterName = v;
                    case "--node-name" -> nodeName = v;
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (port == null) throw new IllegalArgumentException("--port is required");
            if (data == null) throw new IllegalArgumentException("--data is required");
            return new Options(port, data, clusterName, nodeName);
        }
    }

}
