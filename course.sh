#!/usr/bin/env bash
# GAN Atelier — the two commands of the README, each of which sets itself up on a fresh machine:
#
#   ./course.sh train   # train the classroom preset on the built-in procedural faces → runs/classroom/
#   ./course.sh test    # run the whole test suite (unit tests + every notebook under nbval)
#
# Set-up (first run only): a virtual environment in .venv with the course installed (editable);
# pip's output is kept in .venv/install.log. Extra arguments go to the command:
#   ./course.sh train --preset seed        # → runs/seed/ (each preset has its own run folder)
set -euo pipefail
cd "$(dirname "$0")"
VENV="${VENV:-.venv}"

setup() {
  local fresh=""
  if [ ! -x "$VENV/bin/python" ]; then
    python3 - <<'PY' || { echo "GAN Atelier needs Python 3.10–3.13 (TensorFlow's range)." >&2; exit 1; }
import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)
PY
    fresh=1
  fi
  # Re-install when pyproject.toml changes (sha256sum on Linux, shasum on macOS).
  local stamp="$VENV/.gan-atelier-$({ sha256sum || shasum -a 256; } <pyproject.toml 2>/dev/null | cut -c1-12)"
  if [ -n "$fresh" ] || [ ! -f "$stamp" ]; then
    # One line on the screen; pip's own output goes to a log, shown only if the install fails.
    if [ -n "$fresh" ]; then
      echo "Installing GAN Atelier and its dependencies (TensorFlow ~600 MB) into $VENV — first run only…"
      python3 -m venv "$VENV"
    else
      echo "Updating GAN Atelier's dependencies in $VENV (pyproject.toml is new or changed)…"
    fi
    local log="$VENV/install.log"
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
           "$VENV/bin/python" -m pip install -e ".[test]"; } >"$log" 2>&1; then
      echo "The install failed; the end of pip's log follows (all of it: $log)." >&2
      grep -v "^WARNING: Location '.*' is ignored" "$log" | tail -n 40 >&2
      exit 1
    fi
    rm -f "$VENV"/.gan-atelier-*
    touch "$stamp"
  fi
}

command="${1:-}"
shift || true
case "$command" in
  train)
    setup
    export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
    # The classroom preset (or $COURSE_PRESET, read by the course itself) unless --preset names
    # one; each preset trains into its own runs/PRESET/ unless --run-dir names another folder.
    exec "$VENV/bin/python" -m course_utils train --data procedural "$@"
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
