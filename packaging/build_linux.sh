#!/usr/bin/env bash
# Build the Linux one-folder bundle into dist/qwen-math/, check what it holds, and prove it
# starts and renders math.
#
#     packaging/build_linux.sh                # render icons, build, check contents, self-check
#     packaging/build_linux.sh --check-only   # the two checks on an existing dist/qwen-math
#
# The contents check (packaging/check_bundle.py) fails when a module the app can import (at
# any depth, or by name) or a file it opens is missing. That the bundle solves — cloud, TIR in
# its sandbox, OpenAI-compatible, history export — is tests/packaging/test_bundle_solves.py.
# The self-check starts the bundle headless with QWEN_MATH_SELFTEST=1 (desktop_app/selftest.py):
# the window opens offscreen, MathJax typesets $\frac{1}{2}$ in the answer view, and the app
# prints "SELFTEST OK <n>" and exits 0. Prints the bundle's size and its median start time.
set -euo pipefail
cd "$(dirname "$0")/.."

DIST=dist/qwen-math
RUNS=${QWEN_MATH_SELFTEST_RUNS:-3}

if [ "${1:-}" != "--check-only" ]; then
  uv run python packaging/render_icons.py >/dev/null
  # PyInstaller from the `packaging` dependency group (the version uv.lock pins). The venv
  # may hold the `local` extra (the test command installs every extra): the spec excludes
  # it, and check_bundle.py fails if any of it got in.
  start=$(date +%s)
  uv run --group packaging pyinstaller packaging/qwen-math.spec --noconfirm \
    --distpath dist --workpath build/pyinstaller --log-level WARN
  echo "BUNDLE BUILD $(($(date +%s) - start)) s"
fi
[ -x "$DIST/qwen-math" ] || { echo "build_linux: $DIST/qwen-math is missing" >&2; exit 1; }
uv run --group packaging python packaging/check_bundle.py "$DIST"

export QT_QPA_PLATFORM=offscreen
# Chromium's sandbox refuses to run as root (containers, CI); the app adds this itself as root.
export QTWEBENGINE_CHROMIUM_FLAGS="${QTWEBENGINE_CHROMIUM_FLAGS:---no-sandbox}"
export QWEN_MATH_SELFTEST=1
unset DASHSCOPE_API_KEY OPENAI_API_KEY

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=()
for run in $(seq 1 "$RUNS"); do
  home="$work/home-$run"  # a fresh portable home: no settings, history or running instance
  start=$(date +%s%N)
  if ! QWEN_MATH_HOME="$home" timeout 120 "$DIST/qwen-math" >"$work/out" 2>"$work/err"; then
    echo "build_linux: self-check run $run failed:" >&2
    cat "$work/out" >&2
    tail -20 "$work/err" >&2
    exit 1
  fi
  end=$(date +%s%N)
  grep -q '^SELFTEST OK [1-9]' "$work/out" || {
    echo "build_linux: no SELFTEST OK line" >&2
    exit 1
  }
  times+=("$(((end - start) / 1000000))")
  echo "self-check $run: $(cat "$work/out") in ${times[-1]} ms"
done

median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "BUNDLE SIZE $(du -sh "$DIST" | cut -f1)"
echo "BUNDLE START MEDIAN ${median} ms (of $RUNS)"
