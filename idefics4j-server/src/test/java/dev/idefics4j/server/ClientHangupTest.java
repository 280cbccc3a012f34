package dev.idefics4j.server;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Connections written as the kernel's /proc/net/tcp tables write them (each word little-endian, port in hex). */
class ClientHangupTest {
    @Test
    void ipv4AddressesAppearPlainAndMapped() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertEquals("0100007F:1F90", ClientHangup.entry4(loopback, 8080));
        assertEquals("0000000000000000FFFF00000100007F:1F90", ClientHangup.entry6(loopback, 8080));
        InetAddress mapped = InetAddress.getByAddress(new byte[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 1, 2, 3});
        assertEquals("0302010A:0050", ClientHangup.entry4(mapped, 80));
    }

    @Test
    void ipv6AddressesAppearInTcp6Only() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        assertEquals("00000000000000000000000001000000:01BB", ClientHangup.entry6(v6, 443));
        assertNull(ClientHangup.entry4(v6, 443));
        InetAddress doc = InetAddress.getByName("2001:db8::ff00:42:8329");
        assertEquals("B80D01200000000000FF000029834200:D431", ClientHangup.entry6(doc, 54321));
    }
}
