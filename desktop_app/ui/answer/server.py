"""Serves the answer page, MathJax and plotly.js over qmath:// from local files only."""

from __future__ import annotations

import logging
import sys
from importlib.util import find_spec
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QObject, QUrl
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlSchemeHandler,
)

from desktop_app.resources_path import resources_dir
from desktop_app.ui.answer.scheme import HOST, SCHEME

log = logging.getLogger(__name__)

_MATHJAX_PREFIX = "/mathjax/"
PLOTLY_PATH = "/plotly/plotly.min.js"  # the one file of the plotly package the page may load
_MIME = {
    ".html": b"text/html;charset=utf-8",
    ".js": b"text/javascript;charset=utf-8",
    ".css": b"text/css;charset=utf-8",
    ".json": b"application/json",
}


def answer_dir() -> Path:
    """The folder holding answer.html/js/css (source tree, installed wheel or bundle)."""
    return resources_dir() / "answer"


def mathjax_dir() -> Path:
    """MathJax's es5 folder inside the django-static-mathjax package."""
    # The package's folder from its import spec, without importing it: importlib.resources
    # costs ~3 ms on the way to the first answer page, and the files are served from disk
    # anyway (a zipped install could not be).
    spec = find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("MathJax (the django-static-mathjax package) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"


def plotly_js() -> Path | None:
    """plotly.js as the `plotly` package ships it, found without importing the package (its
    Python side takes a while to import and is not needed), or None if it is not installed."""
    bundle = getattr(sys, "_MEIPASS", None)  # a PyInstaller bundle carries the file as data
    if bundle is not None:
        folders = [Path(bundle) / "plotly"]
    else:
        spec = find_spec("plotly")
        folders = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for folder in folders:
        candidate = folder / "package_data" / "plotly.min.js"
        if candidate.is_file():
            return candidate
    return None


class AnswerSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers qmath://answer/ requests with files from two read-only folders, and plotly.js."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roots = {"": answer_dir().resolve(), _MATHJAX_PREFIX: mathjax_dir().resolve()}

    def resolve(self, url: QUrl) -> Path | None:
        """The file a URL names, or None when it is outside the served folders."""
        if url.scheme() != SCHEME or url.host() != HOST:
            return None
        path = url.path()
        if path == PLOTLY_PATH:  # loaded by plot.js on the first plot, ~4.8 MB
            return plotly_js()
        prefix = _MATHJAX_PREFIX if path.startswith(_MATHJAX_PREFIX) else ""
        if not prefix and path.count("/") != 1:
            return None  # the page's own files sit at the top level only
        root = self._roots[prefix]
        candidate = (root / path[len(prefix) :].lstrip("/")).resolve()
        if not candidate.is_relative_to(root) or candidate.suffix not in _MIME:
            return None
        return candidate if candidate.is_file() else None

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt API)
        """Serve one GET request, or fail it as not found."""
        log.debug("answer page: request %s", job.requestUrl().toString())
        file = self.resolve(job.requestUrl()) if job.requestMethod() == b"GET" else None
        if file is None:
            log.warning("answer page: refused %s", job.requestUrl().toString())
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buffer = QBuffer(job)  # owned by the job: lives exactly as long as the reply
        buffer.setData(QByteArray(file.read_bytes()))
        job.reply(_MIME[file.suffix], buffer)


class LocalOnlyInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks every request that is not qmath:// or data: (a second line behind the CSP)."""

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802
        """Block anything remote before it leaves the process."""
        if info.requestUrl().scheme() not in (SCHEME, "data"):
            log.warning("answer page: blocked %s", info.requestUrl().toString())
            info.block(True)


_profile: QWebEngineProfile | None = None


def answer_profile() -> QWebEngineProfile:
    """The shared off-the-record profile for answer views (needs the QApplication)."""
    global _profile
    if _profile is None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("answer_profile() needs a QApplication")
        # Parented to the app so it outlives every page that uses it.
        profile = QWebEngineProfile(app)  # no storage name: off the record, nothing on disk
        profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.NoCache)
        profile.setPersistentCookiesPolicy(
            QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
        )
        profile.setSpellCheckEnabled(False)
        profile.installUrlSchemeHandler(SCHEME.encode(), AnswerSchemeHandler(profile))
        profile.setUrlRequestInterceptor(LocalOnlyInterceptor(profile))
        _profile = profile
    return _profile
