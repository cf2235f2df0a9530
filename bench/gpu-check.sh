#!/usr/bin/env bash
# GPU check of the native backend, for a Linux machine with an NVIDIA GPU, a CUDA PyTorch importable by
# `python3`, a C++ compiler and no network; Node.js and npm packages are optional:
#   1. Node: `node` on PATH, else the one packed in bench/gpu/node-linux-x64.tar.xz;
#   2. bundles of the parity tests and benches: built fresh when this checkout has node_modules,
#      else unpacked from bench/gpu/bundle.tar.xz (bench/gpu/pack.mjs makes both packs);
#   3. builds the addon against that PyTorch's libtorch (scripts/build-native.mjs, GLASSBOX_LIBTORCH);
#   4. runs the native parity suite with GLASSBOX_DEVICE (default cuda);
#   5. trains the digits CNN and the seq2seq LSTM (batch 256) on the native backend and on PyTorch on
#      the same device in the same run, and prints the ratios.
# Everything goes to bench/results/gpu-<date>.txt as well. Takes under 8 minutes on one H200 machine.
#
#   bash bench/gpu-check.sh                       # on the GPU machine
#   GLASSBOX_DEVICE=cpu bash bench/gpu-check.sh   # the same steps on a CPU (what was run without a GPU)
#
# GLASSBOX_GPU_CHECK_QUICK=1 trains on fewer samples (a dry run on a slow CPU).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DEVICE=${GLASSBOX_DEVICE:-cuda}
PYTHON=${GLASSBOX_BENCH_PYTHON:-python3}
STAMP=$(date -u +%Y-%m-%dT%H%M)
mkdir -p bench/results
RESULT="bench/results/gpu-$STAMP.txt"
[ "$DEVICE" = cuda ] || RESULT="bench/results/gpu-check-$DEVICE-$STAMP.txt"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/glassbox-gpu-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
exec > >(tee "$RESULT") 2>&1
FAILURES=()
START=$SECONDS

step() { printf '\n=== %s (%ds)\n' "$*" $((SECONDS - START)); }
fail() { FAILURES+=("$*"); echo "FAILED: $*"; }
untar() { "$PYTHON" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"; }

step "machine"
echo "glassbox gpu-check, $(date -u), device $DEVICE, checkout $(git log -1 --format='%h %s' 2>/dev/null || echo '(not git)')"
uname -srm
echo "CPU cores: $(nproc)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "nvidia-smi: not found"
"$PYTHON" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "cuda available:", torch.cuda.is_available(), "|", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU")' ||
  fail "$PYTHON cannot import torch"

step "node"
if command -v node >/dev/null; then
  NODE=$(command -v node)
else
  [ -f bench/gpu/node-linux-x64.tar.xz ] || { fail "no node on PATH and no bench/gpu/node-linux-x64.tar.xz"; exit 1; }
  untar bench/gpu/node-linux-x64.tar.xz "$WORK/node" || { fail "could not unpack bench/gpu/node-linux-x64.tar.xz"; exit 1; }
  NODE="$WORK/node/bin/node"
  export PATH="$WORK/node/bin:$PATH"
  echo "no node on PATH: using the packed one ($(cat "$WORK/node/SOURCE"))"
fi
echo "$NODE $("$NODE" --version)"

step "bundles"
BUNDLE="$WORK/bundle"
if [ -d node_modules/esbuild ] && [ -d node_modules/@tensorflow/tfjs ] && [ -d node_modules/tsx ]; then
  echo "node_modules present: bundling the current code"
  "$NODE" bench/gpu/pack.mjs --out "$BUNDLE" || fail "bundling"
else
  untar bench/gpu/bundle.tar.xz "$BUNDLE" || fail "unpacking bench/gpu/bundle.tar.xz"
fi
cat "$BUNDLE/BUILD-INFO" 2>/dev/null
PACKED_FROM=$(sed -n 's/^bundles built [^ ]* from \([0-9a-f]*\) .*/\1/p' "$BUNDLE/BUILD-INFO" 2>/dev/null)
if [ -n "$PACKED_FROM" ] && ! git diff --quiet "$PACKED_FROM" HEAD -- kernel native test 'bench/*.ts' 'bench/*.py' 2>/dev/null; then
  echo "WARNING: the code changed since these bundles were packed ($PACKED_FROM): the tests and benches may not match"
  echo "         the addon built below. Run node bench/gpu/pack.mjs where node_modules is installed, and commit bench/gpu/bundle.tar.xz."
fi

step "build the addon against $PYTHON's torch"
TORCH_DIR=$("$PYTHON" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
GLASSBOX_LIBTORCH="$TORCH_DIR" GLASSBOX_NAPI_INCLUDE="$BUNDLE/napi" GLASSBOX_NATIVE_JOBS=${GLASSBOX_NATIVE_JOBS:-$(nproc)} \
  "$NODE" scripts/build-native.mjs --force || fail "building the native addon"

step "parity suite, GLASSBOX_DEVICE=$DEVICE"
GLASSBOX_DEVICE=$DEVICE timeout 240 "$NODE" --test --test-reporter=spec "$BUNDLE"/tests/*.test.js 2>&1 | grep -vE '^\s*$' | tail -n 120
[ "${PIPESTATUS[0]}" = 0 ] || fail "parity suite (see above)"

step "training: native ($DEVICE) against PyTorch ($DEVICE), batch 256, same run"
SAMPLES=3200 S2S=2560 REPEAT=2
[ -n "${GLASSBOX_GPU_CHECK_QUICK:-}" ] && SAMPLES=512 S2S=512 REPEAT=1
THREADS=${GLASSBOX_NATIVE_THREADS:-$(nproc)}
GLASSBOX_DEVICE=$DEVICE GLASSBOX_NATIVE_THREADS=$THREADS GLASSBOX_BENCH_PYTHON=$PYTHON timeout 300 \
  "$NODE" "$BUNDLE/train.js" --backends native --batch 256 --device "$DEVICE" --repeat $REPEAT \
  --samples $SAMPLES --seq2seq-samples $S2S --digits "$BUNDLE/digits.bin" || fail "training bench"

step "summary"
grep -h '^RESULT' "$RESULT" | sed 's/^RESULT /  /'
echo "targets: CNN >= 1.2x PyTorch, seq2seq LSTM >= 0.5x PyTorch"
if [ ${#FAILURES[@]} -eq 0 ]; then echo "no failures"; else printf 'failures:\n'; printf '  %s\n' "${FAILURES[@]}"; fi
echo "took $((SECONDS - START)) s; written to $RESULT"
[ ${#FAILURES[@]} -eq 0 ]
