package dev.idefics4j.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which addresses the server may fetch images from. By default only public unicast addresses: loopback,
 * unspecified, private (RFC 1918, unique-local), carrier-grade NAT, link-local (where cloud metadata services live,
 * 169.254.169.254 and fd00:ec2::254 among them), multicast, benchmarking, documentation and reserved ranges are
 * refused, also when an IPv6 address embeds one of them (IPv4-mapped, -compatible, -translated, NAT64, 6to4,
 * Teredo), and local-use NAT64 (64:ff9b:1::/48), whose translation is not known. Ranges on the
 * allowlist are fetched from whatever they are.
 */
public final class AddressPolicy {
    /** Refused ranges and what they are, for the error message. */
    private static final Map<Cidr, String> REFUSED = refused(
            "0.0.0.0/8", "unspecified", "10.0.0.0/8", "private", "100.64.0.0/10", "carrier-grade NAT",
            "127.0.0.0/8", "loopback", "169.254.0.0/16", "link-local, where cloud metadata services live",
            "172.16.0.0/12", "private", "192.0.0.0/24", "IETF protocol assignments", "192.0.2.0/24", "documentation",
            "192.88.99.0/24", "6to4 relay anycast", "192.168.0.0/16", "private", "198.18.0.0/15", "benchmarking",
            "198.51.100.0/24", "documentation", "203.0.113.0/24", "documentation", "224.0.0.0/4", "multicast",
            "240.0.0.0/4", "reserved", "::/128", "unspecified", "::1/128", "loopback", "fc00::/7",
            "unique-local (private; fd00:ec2::254 is a cloud metadata service)", "fe80::/10", "link-local",
            "fec0::/10", "site-local", "ff00::/8", "multicast", "2001:db8::/32", "documentation", "100::/64",
            "discard-only", "64:ff9b:1::/48", "local-use NAT64, which may translate to any IPv4 address");

    private final List<Cidr> allowed;

    public AddressPolicy(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** The default: public addresses only. */
    public static AddressPolicy publicOnly() {
        return new AddressPolicy(List.of());
    }

    public List<Cidr> allowlist() {
        return allowed;
    }

    public boolean isAllowed(InetAddress address) {
        return refusal(address) == null;
    }

    /** Why {@code address} may not be fetched from, or null when it may. */
    public String refusal(InetAddress address) {
        for (Cidr c : allowed) {
            if (c.contains(address)) {
                return null;
            }
        }
        byte[] a = address.getAddress();
        String why = refusal(a);
        if (why == null && a.length == 16) {
            byte[] v4 = embeddedIpv4(a);
            if (v4 != null) {
                why = refusal(v4);
                if (why != null) {
                    why = "it embeds the IPv4 address " + ipv4(v4) + ", and " + why;
                }
            }
        }
        return why;
    }

    private static String refusal(byte[] a) {
        for (Map.Entry<Cidr, String> e : REFUSED.entrySet()) {
            if (e.getKey().contains(a)) {
                return "it is in " + e.getKey() + " (" + e.getValue() + "), which is refused unless allowlisted";
            }
        }
        return null;
    }

    private static Map<Cidr, String> refused(String... rangeAndName) {
        Map<Cidr, String> out = new LinkedHashMap<>();
        for (int i = 0; i < rangeAndName.length; i += 2) {
            out.put(Cidr.parse(rangeAndName[i]), rangeAndName[i + 1]);
        }
        return out;
    }

    /**
     * The IPv4 address inside an IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64 (64:ff9b::/96), 6to4
     * (2002::/16) or Teredo (2001::/32, the client's) address.
     */
    private static byte[] embeddedIpv4(byte[] a) {
        boolean zeros80 = isZero(a, 0, 10);
        if (zeros80 && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF) {
            return Arrays.copyOfRange(a, 12, 16); // ::ffff:a.b.c.d
        }
        if (zeros80 && a[10] == 0 && a[11] == 0) {
            return Arrays.copyOfRange(a, 12, 16); // ::a.b.c.d (deprecated compatible form)
        }
        if (isZero(a, 0, 8) && (a[8] & 0xFF) == 0xFF && (a[9] & 0xFF) == 0xFF && a[10] == 0 && a[11] == 0) {
            return Arrays.copyOfRange(a, 12, 16); // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765)
        }
        if ((a[0] & 0xFF) == 0x20 && (a[1] & 0xFF) == 0x01 && a[2] == 0 && a[3] == 0) {
            byte[] client = Arrays.copyOfRange(a, 12, 16); // 2001:0::/32 (Teredo): the client's address, inverted
            for (int i = 0; i < 4; i++) {
                client[i] = (byte) ~client[i];
            }
            return client;
        }
        if ((a[0] & 0xFF) == 0x00 && (a[1] & 0xFF) == 0x64 && (a[2] & 0xFF) == 0xFF && (a[3] & 0xFF) == 0x9B
                && isZero(a, 4, 12)) {
            return Arrays.copyOfRange(a, 12, 16); // 64:ff9b::a.b.c.d
        }
        if ((a[0] & 0xFF) == 0x20 && (a[1] & 0xFF) == 0x02) {
            return Arrays.copyOfRange(a, 2, 6); // 2002:aabb:ccdd::
        }
        return null;
    }

    private static boolean isZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String ipv4(byte[] v4) {
        try {
            return InetAddress.getByAddress(v4).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
