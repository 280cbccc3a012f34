package dev.idefics4j.spark;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Spark in local mode runs the whole job in one process, so it needs no network: the driver's RPC endpoint and block
 * manager listen on 127.0.0.1 only, and the web UI stays off unless asked for. (By default Spark binds the driver to
 * the address the host name resolves to, or the first non-loopback interface when that is loopback, and the UI to
 * every interface.)
 */
final class LocalMode {
    static final String LOOPBACK = "127.0.0.1";
    /** The environment variable Spark takes the web UI's bind address from; there is no setting for it. */
    static final String SPARK_LOCAL_IP = "SPARK_LOCAL_IP";

    private LocalMode() {
    }

    /** {@code local}, {@code local[N]}, {@code local[N,F]}, {@code local-cluster[...]}: every process on this host. */
    static boolean isLocal(String master) {
        return master.startsWith("local");
    }

    /**
     * The session settings of a local run.
     *
     * @param ui           serve the web UI (on loopback: Spark binds it to {@code SPARK_LOCAL_IP}, which must then
     *                     name a loopback address)
     * @param sparkLocalIp the value of {@code SPARK_LOCAL_IP} in this process's environment, or null
     */
    static Map<String, String> settings(boolean ui, String sparkLocalIp) {
        if (ui && !isLoopback(sparkLocalIp)) {
            throw new IllegalArgumentException("--spark-ui in local mode serves the UI on 127.0.0.1 only, but Spark "
                    + "binds it to " + SPARK_LOCAL_IP + (sparkLocalIp == null ? ", which is not set (so to every "
                    + "interface)" : " = " + sparkLocalIp) + ": set " + SPARK_LOCAL_IP + "=" + LOOPBACK
                    + " (./idefics4j spark-batch does)");
        }
        Map<String, String> s = new LinkedHashMap<>();
        s.put("spark.driver.host", LOOPBACK);
        s.put("spark.driver.bindAddress", LOOPBACK);
        s.put("spark.ui.enabled", Boolean.toString(ui));
        return s;
    }

    private static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        try {
            // Only literal addresses: a host name would be resolved, and could resolve elsewhere later.
            return InetAddress.ofLiteral(address.strip()).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
