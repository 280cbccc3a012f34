#!/usr/bin/env bash
# PyTorch beside idefics4j on the same layer shapes (LLaMA/idefics-9b decoder layer, gated cross-attention block,
# ViT-H/14 block; decode and prefill), in one run, with the ratios.
#
# Usage: scripts/bench-vs-torch.sh [path/to/torch_layers.py]   (default: ../shared/bench/torch_layers.py)
# torch's bf16 weights live in anonymous memory, so they are compared with idefics4j's bf16-resident format.
# Environment: DTYPES (default "bf16 f32"), THREADS (default "1 2"), TORCH_LAYERS (layers torch builds, default 2),
#   REPS (torch repetitions, default 5), CHECKPOINT (idefics4j checkpoint; default: the bench's cached random one),
#   OUT (also write the combined JSON there), PYTHON (default /usr/bin/python3, which has Debian's python3-torch),
#   TORCH_CORETYPE (OpenBLAS kernel set for f32 torch; default: $OPENBLAS_CORETYPE, else SkylakeX).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
torch_script="${1:-$root/../shared/bench/torch_layers.py}"
python="${PYTHON:-/usr/bin/python3}"
dtypes="${DTYPES:-bf16 f32}"
threads="${THREADS:-1 2}"
layers="${TORCH_LAYERS:-2}"
reps="${REPS:-5}"
modes="llama_decode xattn_decode llama_prefill xattn_prefill vit"
if [ ! -f "$torch_script" ]; then
  echo "bench-vs-torch: no torch_layers.py at $torch_script (pass its path)" >&2
  exit 2
fi
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "bench-vs-torch: $python cannot import torch (apt-get install -y python3-torch)" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ckpt_opt=()
if [ -n "${CHECKPOINT:-}" ]; then
  ckpt_opt=(--checkpoint "$CHECKPOINT")
fi
thread_list="$(echo $threads | tr ' ' ',')"
for dtype in $dtypes; do
  format="$dtype"
  if [ "$dtype" = bf16 ]; then format=bf16-resident; fi
  echo "bench-vs-torch: idefics4j $format, threads $thread_list" >&2
  "$root/idefics4j" bench "${ckpt_opt[@]}" --sections probes,layers --dtype "$format" --quantize none \
    --threads "$thread_list" --json > "$work/idefics4j-$dtype.json"
  for t in $threads; do
    for mode in $modes; do
      echo "bench-vs-torch: torch $mode $dtype, $t thread(s)" >&2
      # A failed or interrupted torch run drops only its own row.
      OMP_NUM_THREADS="$t" OPENBLAS_CORETYPE="${TORCH_CORETYPE:-${OPENBLAS_CORETYPE:-SkylakeX}}" \
        "$python" "$torch_script" "$mode" "$dtype" "$t" "$layers" "$reps" >> "$work/torch.jsonl" \
        || echo "bench-vs-torch: torch $mode $dtype $t failed" >&2
    done
  done
done
"$python" - "$work" "${OUT:-}" <<'PY'
import glob, json, sys
work, out = sys.argv[1], sys.argv[2]
torch = [json.loads(l) for l in open(f"{work}/torch.jsonl") if l.strip()]
ours = {}
probes = {}
for f in sorted(glob.glob(f"{work}/idefics4j-*.json")):
    report = json.load(open(f))
    for r in report["results"]:
        r["dtype"] = r["dtype"].replace("-resident", "")
        key = (r["dtype"], r["threads"])
        probes[key] = (r.get("read_bandwidth_gb_per_s"), r.get("fp32_peak_gflops"))
        for mode, t in r.get("layers_ms", {}).items():
            ours[(mode, r["dtype"], r["threads"])] = t
rows = []
print(f"{'mode':<14} {'dtype':<5} {'thr':>3} {'torch ms':>10} {'idefics4j ms':>13} {'torch/idefics4j':>16}"
      f"   (probes: read GB/s, FP32 GFLOP/s)")
for t in torch:
    key = (t["mode"], t["dtype"], t["threads"])
    o = ours.get(key)
    if o is None:
        continue
    ratio = t["per_layer_ms_med"] / o["median"]
    bw, peak = probes.get((t["dtype"], t["threads"]), (None, None))
    rows.append(dict(mode=t["mode"], dtype=t["dtype"], threads=t["threads"], torch_ms=t["per_layer_ms_med"],
                     torch_ms_min=t["per_layer_ms_min"], torch_ms_max=t["per_layer_ms_max"],
                     idefics4j_ms=o["median"], idefics4j_ms_min=o["min"], idefics4j_ms_max=o["max"],
                     speedup=round(ratio, 3), torch_coretype=t.get("coretype"), read_gb_per_s=bw,
                     fp32_peak_gflops=peak))
    print(f"{t['mode']:<14} {t['dtype']:<5} {t['threads']:>3} {t['per_layer_ms_med']:>10.2f} {o['median']:>13.2f}"
          f" {ratio:>16.2f}   ({bw}, {peak})")
if out:
    json.dump({"rows": rows}, open(out, "w"), indent=1)
PY
