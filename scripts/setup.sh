#!/usr/bin/env bash
# One-time (and idempotent) setup: Node dependencies, a Redis server, and — with --training —
# the Debian packages the training toolkit uses (PyTorch on CPU with OpenBLAS, onnx) and Chromium for the dashboard test.
set -euo pipefail
cd "$(dirname "$0")/.."

want_training=0
for arg in "$@"; do
  case "$arg" in
    --training) want_training=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

node_major=$(node -p 'process.versions.node.split(".")[0]')
node_minor=$(node -p 'process.versions.node.split(".")[1]')
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  echo "setup: Node.js >= 20.19 is required (found $(node --version))" >&2
  exit 1
fi

# onnxruntime-node's install script downloads CUDA libraries from NuGet; offline that hangs or
# fails the whole install. The CPU and WebGPU providers are bundled, so skip it.
export ONNXRUNTIME_NODE_INSTALL=skip
stamp=node_modules/.ctxpress-lock-hash
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "setup: installing Node dependencies"
  # `npm install` honours package-lock.json; `npm ci` is not used because registry mirrors that
  # drop other platforms' optional packages make it reject an otherwise valid lock file.
  npm install --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

bash scripts/ensure-redis.sh

if [ "$want_training" -eq 1 ]; then
  missing=()
  /usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
  /usr/bin/python3 -c 'import onnx' 2>/dev/null || missing+=(python3-onnx)
  /usr/bin/python3 -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
  # The tokenizer trainer's pre-tokenizer needs Unicode classes (\p{L}) that re lacks.
  /usr/bin/python3 -c 'import regex' 2>/dev/null || missing+=(python3-regex)
  # Without OpenBLAS, Debian's torch falls back to the reference BLAS (~15x slower).
  dpkg -s libopenblas0-pthread >/dev/null 2>&1 || missing+=(libopenblas0-pthread)
  # The serve tests load the bull-board dashboard in headless Chromium (playwright-core).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
echo "setup: done"
