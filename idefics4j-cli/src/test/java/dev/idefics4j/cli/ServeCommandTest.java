package dev.idefics4j.cli;

import dev.idefics4j.server.ServerConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code idefics4j serve}: its options become the server's configuration; it is listed among the commands. */
class ServeCommandTest {
    @Test
    void optionsBecomeTheServerConfig() {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("--host", "0.0.0.0", "--port", "9000", "--api-key", "k",
                "--max-input-tokens", "100", "--max-total-tokens", "300", "--max-images", "3", "--max-queue", "5",
                "--max-image-bytes", "1000", "--fetch-read-timeout", "2.5", "--max-redirects", "1",
                "--allow", "10.0.0.0/8", "--allow", "127.0.0.1", "--max-decode-bytes", "100000000",
                "--max-fetches", "7");
        ServerConfig c = cmd.serverConfig();
        assertEquals(100_000_000L, c.maxDecodeBytes());
        assertEquals(7, c.maxFetches());
        assertEquals("0.0.0.0", c.host());
        assertEquals(9000, c.port());
        assertEquals("k", c.apiKey());
        assertEquals(100, c.maxInputTokens());
        assertEquals(300, c.maxTotalTokens());
        assertEquals(3, c.maxImages());
        assertEquals(5, c.maxQueue());
        assertEquals(1000, c.images().maxEncodedBytes());
        assertEquals(Duration.ofMillis(2500), c.images().readTimeout());
        assertEquals(1, c.images().maxRedirects());
        assertEquals(2, c.allowlist().size());
        assertNull(c.mediaDir());
    }

    @Test
    void defaultsAreTheServers() {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs();
        ServerConfig c = cmd.serverConfig();
        ServerConfig d = ServerConfig.builder().build();
        assertEquals(d.host(), c.host());
        assertEquals(d.maxTotalTokens(), c.maxTotalTokens());
        assertEquals(d.images(), c.images());
        assertEquals(Runtime.getRuntime().maxMemory() / 2, c.maxDecodeBytes(), "half the heap");
        assertEquals(d.maxFetches(), c.maxFetches());
        assertTrue(c.allowlist().isEmpty());
        assertEquals("tiny", c.modelName(), "the bundled model's name");
    }

    /** A port in use is one error line: Javalin's SEVERE log record of the failed start is held back. */
    @Test
    void portInUseIsOneErrorLine() throws Exception {
        Logger javalin = Logger.getLogger("io.javalin");
        List<LogRecord> severe = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    severe.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        javalin.addHandler(capture);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRunner.Result r = CliRunner.run("serve", "--port", String.valueOf(taken.getLocalPort()));
            assertEquals(1, r.exitCode());
            assertTrue(r.err().startsWith("error: Port already in use"), r.err());
            assertEquals(List.of(), severe.stream().map(LogRecord::getMessage).toList());
        } finally {
            javalin.removeHandler(capture);
        }
    }

    @Test
    void listedInHelp() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.execute("--help");
        assertTrue(out.toString().contains("serve"), out.toString());
    }
}
