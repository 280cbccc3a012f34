package dev.idefics4j.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that hangs up while its image is downloaded stops the download (issue 21 item 1): a trickling host would
 * hold it to the 30 s deadline, yet the download slot is free again within seconds of the hang-up, the host sees
 * its connection closed, and the request counts as cancelled.
 */
class ClientLeavesDuringFetchTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDownloadStopsWhenItsClientLeaves() throws Exception {
        ServerConfig config = ServerConfig.builder().port(0).maxFetches(1).allow("127.0.0.1/32").build();
        try (TricklingHost host = new TricklingHost();
             IdeficsServer server = IdeficsServer.start(TestModel.get(), config)) {
            String body = "{\"inputs\": \"User:![](" + host.url() + ")Hi\", \"parameters\": {\"max_new_tokens\": 2}}";
            long before = server.metrics().requests("generate", "cancelled");
            long hungUp;
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                Http.sendPost(socket, "/generate", body);
                long end = System.nanoTime() + 10_000_000_000L;
                while (server.metrics().fetches() == 0 && System.nanoTime() < end) {
                    Thread.sleep(5);
                }
                assertEquals(1, server.metrics().fetches(), "the trickling host holds the download");
                Thread.sleep(500); // the download is well under way, its connection seen established
                assertEquals(1, server.metrics().fetches(), "and still holds it");
                hungUp = System.nanoTime();
            }
            long end = hungUp + 10_000_000_000L;
            while ((server.metrics().fetches() > 0 || host.hungUp() == 0
                    || server.metrics().requests("generate", "cancelled") == before) && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            long millis = (System.nanoTime() - hungUp) / 1_000_000;
            assertEquals(0, server.metrics().fetches(), "the download slot is free again");
            assertEquals(1, host.hungUp(), "the host saw its connection closed");
            assertEquals(before + 1, server.metrics().requests("generate", "cancelled"), "counted cancelled");
            assertTrue(millis < 5_000, "stopped " + millis + " ms after the client left, not at the 30 s deadline");
            assertTrue(server.metrics().render().contains("idefics4j_image_fetches 0\n"));
        }
    }
}
