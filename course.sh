#!/usr/bin/env bash
# GAN Atelier — the two commands of the README, each of which sets itself up on a fresh machine:
#
#   ./course.sh train   # train the classroom preset on the built-in procedural faces → runs/classroom/
#   ./course.sh test    # run the whole test suite (unit tests + every notebook under nbval)
#
# Set-up (first run only): a virtual environment in .venv with the course installed (editable).
# Extra arguments go to the command: ./course.sh train --preset seed --run-dir runs/seed
set -euo pipefail
cd "$(dirname "$0")"
VENV="${VENV:-.venv}"

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    python3 - <<'PY' || { echo "GAN Atelier needs Python 3.10–3.13 (TensorFlow's range)." >&2; exit 1; }
import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)
PY
    echo "Setting up $VENV (first run only; TensorFlow is a large download)…"
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.gan-atelier-$(cat pyproject.toml | sha256sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[test]"
    touch "$stamp"
  fi
}

command="${1:-}"
shift || true
case "$command" in
  train)
    setup
    export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
    exec "$VENV/bin/python" -m course_utils train --preset classroom --data procedural \
         --run-dir runs/classroom "$@"
    ;;
  test)
    setup
    export TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg
    "$VENV/bin/python" -m pytest tests "$@"
    # Every notebook, top to bottom, with the seconds-long preset: the one switch, no edits.
    # Runs go to a fresh folder, so every lesson trains from scratch and runs/ is left alone.
    if compgen -G "notebooks/*.ipynb" >/dev/null; then
      runs="$(mktemp -d)"
      trap 'rm -rf "$runs"' EXIT
      COURSE_PRESET=ci COURSE_RUNS_DIR="$runs" "$VENV/bin/python" -m pytest --nbval-lax notebooks/ "$@"
    fi
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
