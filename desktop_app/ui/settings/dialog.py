"""The settings dialog: backends, DashScope, local models, servers, and general options; each
page is a module of its own."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.backends import registry
from desktop_app.core.backends.local.catalogue import detect_vram as find_vram
from desktop_app.core.errors import ConfigError
from desktop_app.core.secrets import ENV_VAR, get_api_key, store_api_key
from desktop_app.core.settings import Settings, preset_profiles
from desktop_app.ui.settings.backends_page import BackendsPage
from desktop_app.ui.settings.dashscope_page import DashScopePage
from desktop_app.ui.settings.form import JOIN_S, show_result, translate
from desktop_app.ui.settings.general_page import GeneralPage, confirm_tir
from desktop_app.ui.settings.local_page import LocalModelsPage
from desktop_app.ui.settings.servers_page import ConnectionTest, ServersPage

PAGES = ("backends", "dashscope", "local", "servers", "general")


class SettingsDialog(QDialog):
    """Edits a copy of the settings; the key goes to the keyring, never into the settings.

    The dialog deletes itself once closed; result_settings() still answers after exec().
    """

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        get_key: Callable[[], str | None] = get_api_key,
        store_key: Callable[[str], None] = store_api_key,
        test_connection: ConnectionTest = registry.test_connection,
        detect_vram: Callable[[], float | None] = find_vram,
        confirm_tir: Callable[[QWidget], bool] = confirm_tir,
    ) -> None:
        super().__init__(parent)
        # Deleted on the GUI thread when closed: a dialog left to Python's garbage collector
        # could be destroyed on whichever thread collects it, which crashes Qt.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(translate("SettingsDialog", "Settings"))
        self.setAccessibleName(translate("SettingsDialog", "Settings"))
        self._working = copy.deepcopy(settings)
        self._store_key = store_key
        self.backends_page = BackendsPage(self._working)
        self.dashscope_page = DashScopePage(self._working, key_saved=bool(get_key()))
        self.dashscope_page.get_key = get_key
        self.local_page = LocalModelsPage(self._working, detect_vram)
        self.servers_page = ServersPage(self._working, test_connection)
        self.general_page = GeneralPage(self._working, confirm_tir)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(translate("SettingsDialog", "Settings pages"))
        for page, title in (
            (self.backends_page, translate("SettingsDialog", "Backends")),
            (self.dashscope_page, translate("SettingsDialog", "DashScope")),
            (self.local_page, translate("SettingsDialog", "Local models")),
            (self.servers_page, translate("SettingsDialog", "Servers")),
            (self.general_page, translate("SettingsDialog", "General")),
        ):
            self.tabs.addTab(page, title)
            page.changed.connect(self._validate)
        for page in (self.dashscope_page, self.local_page, self.servers_page):
            page.changed.connect(self.backends_page.refresh)  # the models it shows may change
        self.servers_page.renamed.connect(self._on_server_renamed)
        self.servers_page.removed.connect(self._on_server_removed)
        self.tabs.currentChanged.connect(self._on_tab)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setAccessibleName(translate("SettingsDialog", "Problem"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.resize(640, 480)
        self._validate()

    def show_page(self, name: str) -> None:
        """Bring a page to the front: backends, dashscope, local, servers or general."""
        self.tabs.setCurrentIndex(PAGES.index(name))

    def prepare_first_run(self, choice: str) -> None:
        """Set up for a welcome-page choice ("cloud", "local" or "server") and show its page."""
        if choice == "local":
            self._working.backends.reader = self._working.backends.solver = "local"
        elif choice == "server":
            if not self._working.servers:
                self.servers_page.add_profile(preset_profiles()[0])
            name = self._working.servers[0].name
            self._working.backends.reader = self._working.backends.solver = f"openai:{name}"
        self.backends_page.refresh()
        self.show_page({"cloud": "dashscope", "local": "local"}.get(choice, "servers"))

    def problem(self) -> str | None:
        """Why OK is disabled, or None."""
        return self.servers_page.problem() or self.local_page.problem()

    def result_settings(self) -> Settings:
        """The edited settings, as a new object."""
        return copy.deepcopy(self._working)

    def accept(self) -> None:
        """Save the typed key to the keyring (only there), then close."""
        if self.problem() is not None:
            return
        key = self.dashscope_page.entered_key()
        if key:
            try:
                self._store_key(key)
            except ConfigError as exc:
                os.environ[ENV_VAR] = key  # this session only; never written anywhere
                text = translate("SettingsDialog", "{error} It is used for this session only.")
                title = translate("SettingsDialog", "Key not saved")
                QMessageBox.warning(self, title, text.format(error=exc))
        super().accept()

    def done(self, result: int) -> None:
        """Close, first stopping any check still running."""
        self.shutdown()
        super().done(result)

    def shutdown(self, timeout: float = JOIN_S) -> None:
        """Cancel and join the background checks."""
        for page in (self.dashscope_page, self.local_page, self.servers_page):
            page.shutdown(timeout)

    def _validate(self) -> None:
        problem = self.problem()
        # The page shows its own problem next to the field; repeat it here from other pages.
        source = self.servers_page if self.servers_page.problem() else self.local_page
        shown = problem if problem and self.tabs.currentWidget() is not source else ""
        show_result(self.problem_label, shown or "", None if not shown else False)
        self.ok_button.setEnabled(problem is None)

    def _on_tab(self, index: int) -> None:
        self._validate()
        if self.tabs.widget(index) is self.local_page:
            self.local_page.start_detection()

    def _on_server_renamed(self, old: str, new: str) -> None:
        self._repoint_roles(f"openai:{old}", f"openai:{new}")

    def _on_server_removed(self, name: str) -> None:
        self._repoint_roles(f"openai:{name}", "cloud")

    def _repoint_roles(self, old: str, new: str) -> None:
        """The roles set to backend choice `old` now use `new`."""
        for role in ("reader", "solver"):
            if getattr(self._working.backends, role) == old:
                setattr(self._working.backends, role, new)
        self.backends_page.refresh()
