#!/usr/bin/env bash
# GPU check for amslib.torch_optim: run from the repository root on a machine with an
# NVIDIA GPU (it takes 1-3 minutes; every section has a time limit, under 5 min in all):
#
#     bash benchmarks/gpu_check.sh
#
#   1. the GPU (nvidia-smi -L, torch.cuda)
#   2. python -m pytest tests/test_torch_optim.py -q   (the CUDA tests run, not skip)
#   3. python benchmarks/bench_torch_optim.py --device cuda
#   4. notebooks/07_pytorch_mlp_on_gpu.ipynb executed on CUDA into a temporary copy
#      (the notebook in the repository is not touched), if the notebook exists
#
# Then a summary: PASS / FAIL / SKIP per section and the total time.
# Exit status: 0 if no section failed, 1 otherwise.
# Without a CUDA GPU it says so, runs the CPU parts (tests, a quick CPU benchmark),
# skips the GPU-only notebook run, and exits 0; set REQUIRE_GPU=1 to exit 1 instead.
# The Python used: $PYTHON, else .venv/bin/python, else python3.
set -euo pipefail
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg PYTHONHASHSEED=0

if [[ -n "${PYTHON:-}" ]]; then PY=$PYTHON
elif [[ -x .venv/bin/python ]]; then PY=.venv/bin/python
else PY=python3; fi

START=$(date +%s)
NOTEBOOK=notebooks/07_pytorch_mlp_on_gpu.ipynb
TMP=$(mktemp -d /tmp/amslib_gpu_check.XXXXXX)
declare -a NAMES=() RESULTS=()

section() { printf '\n==== %s ====\n' "$1"; }
record() { NAMES+=("$1"); RESULTS+=("$2"); }
# run NAME LIMIT_S CMD...: run a section under a time limit, record PASS/FAIL, never exit
run() {
    local name=$1 limit=$2; shift 2
    local t0=$SECONDS rc=0
    timeout "$limit" "$@" || rc=$?
    if [[ $rc -eq 0 ]]; then record "$name" "PASS ($((SECONDS - t0)) s)"
    elif [[ $rc -eq 124 ]]; then record "$name" "FAIL (timed out after ${limit} s)"
    else record "$name" "FAIL (exit $rc, $((SECONDS - t0)) s)"; fi
}

# ---------------------------------------------------------------- 1. the GPU
section "1. GPU"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi -L || true
else
    echo "nvidia-smi: not found"
fi
HAS_CUDA=$("$PY" - <<'EOF'
import torch
print(f"torch {torch.__version__}, CUDA build {torch.version.cuda}, "
      f"cuda available: {torch.cuda.is_available()}", flush=True)
if torch.cuda.is_available():
    for i in range(torch.cuda.device_count()):
        p = torch.cuda.get_device_properties(i)
        print(f"  cuda:{i} {p.name}, {p.total_memory / 2**30:.1f} GiB, "
              f"compute capability {p.major}.{p.minor}", flush=True)
print("HAS_CUDA=" + ("1" if torch.cuda.is_available() else "0"))
EOF
) || { HAS_CUDA="HAS_CUDA=error"; record "1. torch import" "FAIL"; }
echo "${HAS_CUDA%HAS_CUDA=*}" | sed '/^$/d'
HAS_CUDA=${HAS_CUDA##*HAS_CUDA=}
if [[ $HAS_CUDA == 1 ]]; then
    record "1. GPU" "PASS"
else
    echo
    echo "!!! NO CUDA GPU on this machine (torch.cuda.is_available() is False)."
    echo "!!! Running the CPU parts only: CUDA tests skip, the benchmark runs on the CPU,"
    echo "!!! the GPU notebook is not executed. Run this script on an NVIDIA GPU machine."
    record "1. GPU" "SKIP (no CUDA GPU)"
fi

# ---------------------------------------------------------------- 2. tests
section "2. pytest tests/test_torch_optim.py"
run "2. tests" 150 bash -c "set -o pipefail; '$PY' -m pytest tests/test_torch_optim.py -q -rs \
    -p no:cacheprovider | tee '$TMP/pytest.log'"
if [[ $HAS_CUDA == 1 ]] && grep -q "no CUDA GPU on this machine" "$TMP/pytest.log"; then
    echo "!!! CUDA tests were skipped although a GPU is present"
    record "2. CUDA tests ran" "FAIL (skipped)"
fi

# ---------------------------------------------------------------- 3. benchmark
section "3. benchmark"
if [[ $HAS_CUDA == 1 ]]; then
    run "3. benchmark (cuda)" 90 "$PY" benchmarks/bench_torch_optim.py --device cuda
else
    run "3. benchmark (cpu, quick)" 90 "$PY" benchmarks/bench_torch_optim.py --device cpu --quick
fi

# ---------------------------------------------------------------- 4. notebook on CUDA
section "4. $NOTEBOOK"
if [[ ! -f $NOTEBOOK ]]; then
    echo "$NOTEBOOK does not exist (yet): skipped"
    record "4. notebook" "SKIP (no such notebook)"
elif [[ $HAS_CUDA != 1 ]]; then
    echo "no CUDA GPU: skipped"
    record "4. notebook" "SKIP (no CUDA GPU)"
else
    # executes in notebooks/ (as a learner would), writes only to $TMP
    run "4. notebook (cuda)" 150 "$PY" -m jupyter nbconvert --to notebook --execute \
        --ExecutePreprocessor.timeout=120 --output-dir "$TMP" --output executed_07.ipynb \
        "$NOTEBOOK"
    if [[ -f $TMP/executed_07.ipynb ]]; then
        # the device the notebook reported, from its outputs
        "$PY" - "$TMP/executed_07.ipynb" <<'EOF' || true
import json, sys
nb = json.load(open(sys.argv[1]))
text = "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
               for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
errors = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
          if o.get("output_type") == "error"]
print(f"executed copy: {sys.argv[1]}; mentions cuda: {'cuda' in text.lower()}; "
      f"error outputs: {len(errors)}")
EOF
    fi
fi

# ---------------------------------------------------------------- summary
section "summary"
FAILED=0
for i in "${!NAMES[@]}"; do
    printf '%-28s %s\n' "${NAMES[$i]}" "${RESULTS[$i]}"
    [[ ${RESULTS[$i]} == FAIL* ]] && FAILED=1
done
echo "total time: $(( $(date +%s) - START )) s   (temporary files: $TMP)"
if [[ $FAILED == 1 ]]; then echo "RESULT: FAIL"; exit 1; fi
if [[ $HAS_CUDA != 1 ]]; then
    echo "RESULT: CPU parts pass; GPU NOT CHECKED (no CUDA GPU on this machine)"
    [[ ${REQUIRE_GPU:-0} == 1 ]] && exit 1
    exit 0
fi
echo "RESULT: PASS"
