package org.cocoatlas.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import java.time.Duration;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Starts an embedded Neo4j Community DBMS with only the Bolt connector open, for tests and development.
 *
 * <pre>
 * java -jar coco-neo4j-server.jar DATA_DIR [PORT] [--stop-on-stdin-eof]
 * </pre>
 *
 * DATA_DIR (or env NEO4J_DATA_DIR) is the DBMS home: store files go to DATA_DIR/data, logs to DATA_DIR/logs.
 * PORT (or env NEO4J_BOLT_PORT, default 7687) is the Bolt port on 127.0.0.1; 0 lets the kernel pick one.
 * Page cache size: env NEO4J_PAGECACHE (bytes, or with k/m/g suffix), default 256m.
 *
 * Prints exactly one line {@code NEO4J READY bolt://127.0.0.1:PORT} on stdout once Bolt accepts connections.
 * Stops cleanly on SIGTERM/SIGINT (shutdown hook), or when stdin closes if --stop-on-stdin-eof is given.
 */
public final class CocoNeo4jServer {
    private static final String HOST = "127.0.0.1";

    private CocoNeo4jServer() {}

    public static void main(String[] args) throws Exception {
        boolean stopOnStdinEof = false;
        String dir = System.getenv("NEO4J_DATA_DIR");
        String port = System.getenv().getOrDefault("NEO4J_BOLT_PORT", "7687");
        int positional = 0;
        for (String arg : args) {
            if (arg.equals("--stop-on-stdin-eof")) {
                stopOnStdinEof = true;
            } else if (positional++ == 0) {
                dir = arg;
            } else {
                port = arg;
            }
        }
        if (dir == null || dir.isBlank()) {
            System.err.println("usage: CocoNeo4jServer DATA_DIR [PORT] [--stop-on-stdin-eof]");
            System.exit(2);
        }
        Path home = Path.of(dir).toAbsolutePath();
        Files.createDirectories(home);
        long pageCache = ByteUnit.parse(System.getenv().getOrDefault("NEO4J_PAGECACHE", "256m"));
        SocketAddress bolt = new SocketAddress(HOST, Integer.parseInt(port));

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt) // neo4j:// routing tables
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                // throwaway stores: do not preallocate 256 MiB transaction log files
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // stop in ~1 s instead of ~10 s: Bolt otherwise waits 5 s for connections, then a 5 s Netty quiet period
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(TimeUnit.MINUTES.toMillis(2))) {
            System.err.println("NEO4J FAILED default database not available");
            System.exit(1);
        }
        int boltPort = ((GraphDatabaseAPI) db).getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT)
                .getPort();
        waitForPort(boltPort);
        System.out.println("NEO4J READY bolt://" + HOST + ":" + boltPort);
        System.out.flush();

        if (stopOnStdinEof) {
            drain(System.in);
            System.exit(0); // runs the shutdown hook
        }
        stopped.await(); // until SIGTERM/SIGINT runs the hook
    }

    /** Blocks until a TCP connection to the Bolt port succeeds (it normally does at once). */
    private static void waitForPort(int port) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("Bolt port " + port + " never accepted a connection");
    }

    private static void drain(InputStream in) {
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
        } catch (IOException ignored) {
            // treat a broken stdin like EOF
        }
    }
}
