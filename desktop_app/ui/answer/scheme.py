"""The qmath:// scheme: its name, the answer page's address, and its registration.

Serving the scheme (the handler, the interceptor, the web profile) lives in `server`,
imported when the first answer page loads, not at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtWebEngineCore import QWebEngineUrlScheme

SCHEME = "qmath"
HOST = "answer"
ANSWER_URL = QUrl(f"{SCHEME}://{HOST}/answer.html")


def register_scheme() -> None:
    """Register qmath:// with QtWebEngine; call before the QApplication exists (idempotent)."""
    if QWebEngineUrlScheme.schemeByName(SCHEME.encode()).name():
        return
    scheme = QWebEngineUrlScheme(SCHEME.encode())
    # Host syntax gives the page a real origin (qmath://answer), so CSP 'self' means
    # exactly "files this handler serves". Secure: the page is a secure context. Not
    # LocalScheme: that would stop the page loading its own scripts and stylesheet.
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme)
    QWebEngineUrlScheme.registerScheme(scheme)
    # QtWebEngine needs shared GL contexts, and this too must precede the QApplication.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
