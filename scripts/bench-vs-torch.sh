#!/usr/bin/env bash
# PyTorch beside idefics4j on the same layer shapes (LLaMA/idefics-9b decoder layer, gated cross-attention block,
# ViT-H/14 block; decode and prefill), in one run, with the ratios.
#
# Usage: scripts/bench-vs-torch.sh [path/to/torch_layers.py]   (default: scripts/torch_layers.py, beside this script)
# torch's bf16 weights live in anonymous memory, so they are compared with idefics4j's bf16-resident format.
# The two sides take turns, and the machine's bandwidth can change between turns (a VM shares it with neighbours), so
# idefics4j runs before and after PyTorch: each row shows both of its medians and the ratio for each.
# Environment: DTYPES (default "bf16 f32"), THREADS (default "1 2"), TORCH_LAYERS (layers torch builds, default 2),
#   REPS (torch repetitions, default 5), CHECKPOINT (idefics4j checkpoint; default: the bench's cached random one),
#   OUT (also write the combined JSON there), PYTHON (default /usr/bin/python3, which has Debian's python3-torch),
#   TORCH_CORETYPE (OpenBLAS kernel set for f32 torch; default SkylakeX, the AVX-512 one: an OPENBLAS_CORETYPE
#   inherited from the environment is not used, since this machine's sets Haswell, on which f32 torch ran 10-100x
#   slower here),
#   TORCH_TIMEOUT (seconds one torch mode may take before it is stopped and its row dropped; default 600),
#   MODES (layer modes, default all five), OURS_BF16 (the idefics4j format set beside torch's bf16: default
#   bf16-resident; bf16-dot runs images and prompts through the CPU's bf16 dot-product instruction as torch does).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
torch_script="${1:-$root/scripts/torch_layers.py}"
python="${PYTHON:-/usr/bin/python3}"
dtypes="${DTYPES:-bf16 f32}"
threads="${THREADS:-1 2}"
layers="${TORCH_LAYERS:-2}"
reps="${REPS:-5}"
modes="${MODES:-llama_decode xattn_decode llama_prefill xattn_prefill vit}"
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
ours_side() {
  echo "bench-vs-torch: idefics4j $2, threads $thread_list ($3 PyTorch)" >&2
  "$root/idefics4j" bench "${ckpt_opt[@]}" --sections probes,layers --dtype "$2" --quantize none \
    --threads "$thread_list" --json > "$work/idefics4j-$1-$3.json"
}
for dtype in $dtypes; do
  format="$dtype"
  if [ "$dtype" = bf16 ]; then format="${OURS_BF16:-bf16-resident}"; fi
  ours_side "$dtype" "$format" before
  for t in $threads; do
    for mode in $modes; do
      echo "bench-vs-torch: torch $mode $dtype, $t thread(s)" >&2
      # A failed, stopped or interrupted torch run drops only its own row.
      OMP_NUM_THREADS="$t" OPENBLAS_CORETYPE="${TORCH_CORETYPE:-SkylakeX}" \
        timeout "${TORCH_TIMEOUT:-600}" "$python" "$torch_script" "$mode" "$dtype" "$t" "$layers" "$reps" \
        >> "$work/torch.jsonl" || echo "bench-vs-torch: torch $mode $dtype $t failed or timed out" >&2
    done
  done
  ours_side "$dtype" "$format" after
done
"$python" - "$work" "${OUT:-}" <<'PY'
import glob, json, os, sys
work, out = sys.argv[1], sys.argv[2]
torch = [json.loads(l) for l in open(f"{work}/torch.jsonl") if l.strip()]
ours = {}    # (mode, dtype, threads) -> {"before": {...}, "after": {...}}
probes = {}  # (dtype, threads, turn) -> (read GB/s, FP32 GFLOP/s)
for f in sorted(glob.glob(f"{work}/idefics4j-*.json")):
    turn = os.path.basename(f).rsplit("-", 1)[1].removesuffix(".json")
    report = json.load(open(f))
    for r in report["results"]:
        dtype = r["dtype"].replace("-resident", "").replace("-dot", "")
        probes[(dtype, r["threads"], turn)] = (r.get("read_bandwidth_gb_per_s"), r.get("fp32_peak_gflops"))
        for mode, t in r.get("layers_ms", {}).items():
            ours.setdefault((mode, dtype, r["threads"]), {})[turn] = t
rows = []
print(f"{'mode':<14} {'dtype':<5} {'thr':>3} {'torch ms':>9} {'idefics4j ms before / after':>28}"
      f" {'torch/idefics4j':>18}   (probes before / after: read GB/s, FP32 GFLOP/s)")
for t in torch:
    key = (t["mode"], t["dtype"], t["threads"])
    turns = ours.get(key)
    if not turns:
        continue
    meds = {turn: o["median"] for turn, o in turns.items()}
    ratios = {turn: t["per_layer_ms_med"] / m for turn, m in meds.items()}
    best = min(meds.values())
    pr = {turn: probes.get((t["dtype"], t["threads"], turn)) for turn in ("before", "after")}
    rows.append(dict(mode=t["mode"], dtype=t["dtype"], threads=t["threads"], torch_ms=t["per_layer_ms_med"],
                     torch_ms_min=t["per_layer_ms_min"], torch_ms_max=t["per_layer_ms_max"],
                     idefics4j_ms=best, idefics4j_ms_before=meds.get("before"), idefics4j_ms_after=meds.get("after"),
                     idefics4j_ms_min=min(o["min"] for o in turns.values()),
                     idefics4j_ms_max=max(o["max"] for o in turns.values()),
                     speedup=round(t["per_layer_ms_med"] / best, 3),
                     speedup_before=round(ratios["before"], 3) if "before" in ratios else None,
                     speedup_after=round(ratios["after"], 3) if "after" in ratios else None,
                     torch_coretype=t.get("coretype"), probes_before=pr["before"], probes_after=pr["after"]))
    fmt = lambda v: "-" if v is None else f"{v:.2f}"
    print(f"{t['mode']:<14} {t['dtype']:<5} {t['threads']:>3} {t['per_layer_ms_med']:>9.2f}"
          f" {fmt(meds.get('before')):>13} / {fmt(meds.get('after')):<12}"
          f" {fmt(ratios.get('before')):>8} / {fmt(ratios.get('after')):<7}   ({pr['before']} / {pr['after']})")
if out:
    json.dump({"rows": rows}, open(out, "w"), indent=1)
PY
