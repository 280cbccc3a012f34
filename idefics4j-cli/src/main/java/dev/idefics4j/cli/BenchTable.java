package dev.idefics4j.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** The benchmark report as a table: one line per configuration, each figure beside its limit. */
final class BenchTable {
    private static final String[][] COLUMNS = {
            {"dtype", "dtype", "%-6s"}, {"threads", "thr", "%3s"},
            {"read_bandwidth_gb_per_s", "readGB/s", "%8s"}, {"fp32_peak_gflops", "peakGF", "%7s"},
            {"image_encode_s", "image s", "%7s"}, {"image_peak_ratio", "/peak", "%5s"},
            {"prefill_tokens_per_s", "prefill t/s", "%11s"}, {"prefill_peak_ratio", "/peak", "%5s"},
            {"decode_tokens_per_s", "decode t/s", "%10s"}, {"decode_weight_gb_per_s", "wGB/s", "%6s"},
            {"decode_bandwidth_ratio", "/bw", "%5s"}, {"batch_decode_speedup", "batch x", "%7s"},
            {"batch_decode_speedup_paired", "pair x", "%6s"},
            {"gemm_gflops", "gemmGF", "%7s"}, {"gemm_peak_ratio", "/peak", "%5s"},
            {"vision_gemm_gflops", "vgemmGF", "%7s"}, {"vision_gemm_peak_ratio", "/peak", "%5s"}};

    private BenchTable() {
    }

    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> report, PrintStream out) {
        out.println("machine: " + report.get("machine"));
        out.println("checkpoint: " + report.get("checkpoint"));
        StringBuilder head = new StringBuilder();
        for (String[] c : COLUMNS) {
            head.append(String.format(c[2], c[1])).append(' ');
        }
        out.println(head.toString().stripTrailing());
        List<Map<String, Object>> results = (List<Map<String, Object>>) report.get("results");
        for (Map<String, Object> r : results) {
            StringBuilder line = new StringBuilder();
            for (String[] c : COLUMNS) {
                Object v = r.get(c[0]);
                line.append(String.format(c[2], v == null ? "-" : format(v))).append(' ');
            }
            out.println(line.toString().stripTrailing());
        }
        for (Map<String, Object> r : results) {
            if (r.get("layers_ms") instanceof Map<?, ?> layers) {
                out.println(r.get("dtype") + ", " + r.get("threads") + " thread(s), per layer ms (min/median/max):");
                layers.forEach((mode, t) -> {
                    Map<String, Object> m = (Map<String, Object>) t;
                    out.printf("  %-14s %9s %9s %9s%n", mode, format(m.get("min")), format(m.get("median")),
                            format(m.get("max")));
                });
                if (r.get("extrapolated") instanceof Map<?, ?> est) {
                    est.forEach((model, e) -> out.println("  estimated " + model + ": " + e));
                }
            }
        }
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return d >= 100 ? String.format("%.0f", d) : d >= 10 ? String.format("%.1f", d)
                    : String.format("%.3g", d);
        }
        return String.valueOf(v);
    }
}
