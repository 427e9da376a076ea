"""The UI language: Qt translators for the app's own strings and Qt's standard dialogs.

English is the source language (no catalogue needed); Simplified Chinese ships as
resources/translations/qwen_math_zh_CN.qm, compiled from the .ts next to it by
packaging/update_translations.sh.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop_app.resources_path import resources_dir

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "zh_CN")  # what install_translator can end up using
CATALOGUE = "qwen_math"  # qwen_math_<language>.qm
QT_CATALOGUES = ("qtbase", "qtwebengine")  # standard buttons, dialogs; the web view's menu
_TRANSLATOR_NAME = "qwen_math_translator"
_MNEMONIC = re.compile(r"\s*\(&(?!&)(.)\)")  # "求解(&S)": the CJK style of mnemonic

_current = SOURCE_LANGUAGE


def translations_dir() -> Path:
    """The folder holding the app's compiled catalogues (.qm) and their sources (.ts)."""
    return resources_dir() / "translations"


def resolve_language(language: str = "system") -> str:
    """Map a setting ("system", "en", "zh_CN", "zh-Hans", ...) to one of LANGUAGES."""
    spec = (language or "system").strip()
    locale = QLocale.system() if spec.lower() == "system" else QLocale(spec.replace("-", "_"))
    # Traditional Chinese (zh_TW, zh_HK, zh_Hant) has no catalogue of its own yet: English
    traditional = locale.script() == QLocale.Script.TraditionalChineseScript
    if locale.language() == QLocale.Language.Chinese and not traditional:
        return "zh_CN"
    return SOURCE_LANGUAGE


def install_translator(app: QCoreApplication, language: str = "system") -> str:
    """Install the translators for `language` ("system": the OS locale) on `app`.

    Returns the language actually used: "en" or "zh_CN". Calling it again switches the
    language (widgets built before keep their texts). The translators are children of
    `app`, so they live as long as it does.
    """
    global _current
    remove_translator(app)
    wanted = resolve_language(language)
    if wanted == SOURCE_LANGUAGE:
        return SOURCE_LANGUAGE
    own = _load(app, f"{CATALOGUE}_{wanted}", translations_dir())
    if own is None:
        log.warning("no %s translation found in %s; using English", wanted, translations_dir())
        return SOURCE_LANGUAGE
    qt_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    for name in QT_CATALOGUES:
        if _load(app, f"{name}_{wanted}", qt_dir) is None:
            log.info("Qt catalogue %s_%s not found in %s", name, wanted, qt_dir)
    _current = wanted
    log.info("UI language: %s", wanted)
    return wanted


def remove_translator(app: QCoreApplication) -> None:
    """Take out every translator install_translator put in: back to English."""
    global _current
    for translator in app.findChildren(QTranslator, _TRANSLATOR_NAME):
        QCoreApplication.removeTranslator(translator)
        translator.setParent(None)  # Python owns it now and frees it
    _current = SOURCE_LANGUAGE


def current_language() -> str:
    """The language of the installed translators ("en" when none is)."""
    return _current


def plain_text(text: str) -> str:
    """An action's text without its mnemonic: "&Solve" -> "Solve", "求解(&S)" -> "求解"."""
    return _MNEMONIC.sub("", text).replace("&&", "\0").replace("&", "").replace("\0", "&")


def _load(app: QCoreApplication, name: str, folder: Path) -> QTranslator | None:
    translator = QTranslator(app)
    translator.setObjectName(_TRANSLATOR_NAME)
    if not translator.load(name, str(folder)) or not QCoreApplication.installTranslator(translator):
        translator.setParent(None)
        return None
    return translator
