#!/usr/bin/env bash
# Install a built bundle for the current user: the program under ~/.local/lib, a `qwen-math`
# link on PATH, the menu entry, icons and AppStream metadata (XDG user locations).
#
#     packaging/install_linux.sh              # after packaging/build_linux.sh
#     packaging/install_linux.sh --uninstall
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ID=io.github.qwen_math_desktop
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
LIB=$HOME/.local/lib/qwen-math
BIN=$HOME/.local/bin

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$LIB" "$BIN/qwen-math" "$DATA/applications/$APP_ID.desktop" \
    "$DATA/metainfo/$APP_ID.metainfo.xml"
  find "$DATA/icons/hicolor" -name "$APP_ID.*" -delete 2>/dev/null || true
  exit 0
fi

[ -x dist/qwen-math/qwen-math ] || { echo "run packaging/build_linux.sh first" >&2; exit 1; }
rm -rf "$LIB"
mkdir -p "$LIB" "$BIN" "$DATA/applications" "$DATA/metainfo"
cp -a dist/qwen-math/. "$LIB/"
ln -sf "$LIB/qwen-math" "$BIN/qwen-math"
install -m 644 "resources/linux/$APP_ID.desktop" "$DATA/applications/"
install -m 644 "resources/linux/$APP_ID.metainfo.xml" "$DATA/metainfo/"
for icon in resources/icons/hicolor/*/apps/"$APP_ID".*; do
  size=$(basename "$(dirname "$(dirname "$icon")")")
  install -D -m 644 "$icon" "$DATA/icons/hicolor/$size/apps/$(basename "$icon")"
done
command -v update-desktop-database >/dev/null && update-desktop-database -q "$DATA/applications"
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$DATA/icons/hicolor"
echo "installed: $BIN/qwen-math (make sure $BIN is on PATH)"
