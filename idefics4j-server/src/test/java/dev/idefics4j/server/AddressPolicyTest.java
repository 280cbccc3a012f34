package dev.idefics4j.server;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The address check on its own (no connection is ever made): loopback, private, link-local, metadata, carrier-grade
 * NAT, multicast and reserved ranges are refused, also inside IPv6 forms that embed an IPv4 address; public
 * addresses pass; the allowlist opens exactly its ranges.
 */
class AddressPolicyTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // a literal: no lookup
    }

    /** An IPv6 address kept as IPv6 (getByName turns ::ffff:a.b.c.d into IPv4 on its own). */
    private static InetAddress v6(String literal) throws Exception {
        return Inet6Address.getByAddress(null, Inet6Address.getByName(literal).getAddress().length == 16
                ? InetAddress.getByName(literal).getAddress() : mapped(InetAddress.getByName(literal).getAddress()),
                null);
    }

    private static byte[] mapped(byte[] v4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xFF;
        a[11] = (byte) 0xFF;
        System.arraycopy(v4, 0, a, 12, 4);
        return a;
    }

    @Test
    void refusesNonPublicRanges() throws Exception {
        AddressPolicy policy = AddressPolicy.publicOnly();
        for (String refused : List.of("127.0.0.1", "127.9.9.9", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "169.254.169.254", "100.100.100.200", "100.64.0.1", "224.0.0.251", "255.255.255.255",
                "198.18.0.1", "192.0.0.170", "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1")) {
            assertFalse(policy.isAllowed(ip(refused)), refused);
        }
        assertTrue(policy.refusal(ip("169.254.169.254")).contains("metadata"));
        assertTrue(policy.refusal(ip("10.0.0.1")).contains("private"));
        assertTrue(policy.refusal(ip("127.0.0.1")).contains("loopback"));
    }

    @Test
    void refusesIpv4HiddenInIpv6() throws Exception {
        AddressPolicy policy = AddressPolicy.publicOnly();
        InetAddress mappedMetadata = v6("169.254.169.254");
        assertEquals(16, mappedMetadata.getAddress().length);
        assertFalse(policy.isAllowed(mappedMetadata), "::ffff:169.254.169.254");
        assertTrue(policy.refusal(mappedMetadata).contains("embeds the IPv4 address 169.254.169.254"));
        assertFalse(policy.isAllowed(ip("64:ff9b::a9fe:a9fe")), "NAT64 of the metadata address");
        assertFalse(policy.isAllowed(ip("2002:0a00:0001::1")), "6to4 of 10.0.0.1");
        assertFalse(policy.isAllowed(ip("::7f00:1")), "IPv4-compatible 127.0.0.1");
        assertFalse(policy.isAllowed(ip("::ffff:0:7f00:1")), "IPv4-translated 127.0.0.1");
        assertTrue(policy.refusal(ip("::ffff:0:a9fe:a9fe")).contains("embeds the IPv4 address 169.254.169.254"));
        assertTrue(policy.isAllowed(ip("::ffff:0:808:808")), "IPv4-translated 8.8.8.8");
        assertFalse(policy.isAllowed(ip("2001:0:4136:e378:8000:63bf:80ff:fffe")), "Teredo, client 127.0.0.1");
        assertTrue(policy.isAllowed(ip("2001:0:4136:e378:8000:63bf:f7f7:f7f7")), "Teredo, client 8.8.8.8");
        assertFalse(policy.isAllowed(ip("64:ff9b:1::7f00:1")), "local-use NAT64");
    }

    @Test
    void allowsPublicAddresses() throws Exception {
        AddressPolicy policy = AddressPolicy.publicOnly();
        for (String ok : List.of("8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
                "2606:4700:4700::1111")) {
            assertTrue(policy.isAllowed(ip(ok)), ok);
        }
        assertTrue(policy.isAllowed(v6("8.8.8.8")), "::ffff:8.8.8.8");
    }

    @Test
    void allowlistOpensExactlyItsRanges() throws Exception {
        AddressPolicy policy = new AddressPolicy(List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("10.1.0.0/16")));
        assertTrue(policy.isAllowed(ip("127.0.0.1")));
        assertFalse(policy.isAllowed(ip("127.0.0.2")));
        assertTrue(policy.isAllowed(ip("10.1.200.3")));
        assertFalse(policy.isAllowed(ip("10.2.0.1")));
        assertFalse(policy.isAllowed(ip("169.254.169.254")));
    }

    @Test
    void cidrParsing() throws Exception {
        assertTrue(Cidr.parse("192.168.0.0/16").contains(ip("192.168.44.1")));
        assertFalse(Cidr.parse("192.168.0.0/17").contains(ip("192.168.200.1")));
        assertTrue(Cidr.parse("fe80::/10").contains(ip("febf::1")));
        assertTrue(Cidr.parse("[::1]").contains(ip("::1")));
        assertFalse(Cidr.parse("::/0").contains(ip("1.2.3.4")), "families never mix");
        assertEquals("10.0.0.0/8", Cidr.parse("10.0.0.0/8").toString());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/x"));
    }
}
