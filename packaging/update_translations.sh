#!/usr/bin/env bash
# Refresh the translation sources from the UI code and compile them for the app.
#
#     packaging/update_translations.sh
#
# 1. pyside6-lupdate adds every new tr()/translate() string of desktop_app/ui/ (all its feature
#    packages) to
#    resources/translations/qwen_math_<lang>.ts (marked unfinished) and drops the vanished ones;
# 2. translate the unfinished entries (pyside6-linguist, or by hand in the XML);
# 3. run this again: pyside6-lrelease compiles each .ts into the .qm the app loads.
# Commit the .ts and the .qm; tests/ui/test_i18n.py fails while either lags the code.
set -euo pipefail
cd "$(dirname "$0")/.."

LANGUAGES=(zh_CN)
DIR=resources/translations
mkdir -p "$DIR"
mapfile -t SOURCES < <(find desktop_app/ui -name '*.py' | sort)
for lang in "${LANGUAGES[@]}"; do
  ts="$DIR/qwen_math_$lang.ts"
  uv run pyside6-lupdate "${SOURCES[@]}" -ts "$ts" -no-obsolete -locations none \
    -source-language en -target-language "$lang"
  uv run pyside6-lrelease "$ts" -qm "$DIR/qwen_math_$lang.qm"
done
