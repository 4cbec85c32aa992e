package registry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Test-only launcher: runs an embedded Neo4j Community server with a Bolt connector on 127.0.0.1.
 *
 * <pre>
 *   java -Xmx1g -cp target/classes:target/lib/* registry.testing.Neo4jLauncher PORT DATA_DIR
 * </pre>
 *
 * Prints {@code NEO4J READY bolt://127.0.0.1:PORT} once the default database is available.
 * Stops on SIGTERM/SIGINT (shutdown hook) and when standard input reaches EOF, so it never
 * outlives the process that started it (set NEO4J_LAUNCHER_IGNORE_STDIN=1 to run it by hand
 * with stdin closed).
 */
public final class Neo4jLauncher {

    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Neo4jLauncher BOLT_PORT DATA_DIR");
            System.exit(2);
        }
        final int port;
        try {
            port = Integer.parseInt(args[0]);
        } catch (NumberFormatException e) {
            System.err.println("NEO4J FAILED invalid port: " + args[0]);
            System.exit(2);
            return;
        }
        Path home = Path.of(args[1]).toAbsolutePath();

        final DatabaseManagementService service;
        try {
            service = new DatabaseManagementServiceBuilder(home)
                    // Bolt only, on loopback, no auth, no TLS.
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    .setConfig(GraphDatabaseSettings.auth_enabled, false)
                    // Small footprint for a 2-core test machine; the benchmarks ask for more
                    // (-Dregistry.pagecache.mb), as a real server would have.
                    .setConfig(GraphDatabaseSettings.pagecache_memory,
                               ByteUnit.mebiBytes(Long.getLong("registry.pagecache.mb", 128L)))
                    .setConfig(GraphDatabaseSettings.tx_state_max_off_heap_memory, ByteUnit.mebiBytes(128))
                    .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, ByteUnit.mebiBytes(512))
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(16))
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                    // Netty's graceful shutdown otherwise idles for seconds per event loop group.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(3))
                    .build();
        } catch (Throwable t) {
            System.out.println("NEO4J FAILED " + t);
            t.printStackTrace();
            System.out.flush();
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean shutDown = new AtomicBoolean(false);
        Runnable shutdown = () -> {
            if (shutDown.compareAndSet(false, true)) {
                System.out.println("NEO4J STOPPING");
                System.out.flush();
                try {
                    service.shutdown();
                } catch (Throwable t) {
                    t.printStackTrace();
                }
                System.out.println("NEO4J STOPPED");
                System.out.flush();
                stopped.countDown();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "neo4j-launcher-shutdown"));

        GraphDatabaseService db = service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(Duration.ofSeconds(120).toMillis())) {
            System.out.println("NEO4J FAILED default database not available after 120 s");
            System.out.flush();
            System.exit(1);
        }

        if (!"1".equals(System.getenv("NEO4J_LAUNCHER_IGNORE_STDIN"))) {
            Thread stdinWatcher = new Thread(() -> {
                InputStream in = System.in;
                byte[] buf = new byte[256];
                try {
                    while (in.read(buf) >= 0) {
                        // ignore input; only EOF matters
                    }
                } catch (IOException ignored) {
                    // treat as EOF
                }
                System.out.println("NEO4J stdin closed, exiting");
                System.out.flush();
                System.exit(0); // runs the shutdown hook
            }, "neo4j-launcher-stdin");
            stdinWatcher.setDaemon(true);
            stdinWatcher.start();
        }

        System.out.println("NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }
}
