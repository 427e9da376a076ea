"""Where config, data, cache and logs live: QWEN_MATH_HOME (portable mode) or the user dirs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "qwen-math"


@dataclass(frozen=True)
class AppDirs:
    """The app's folders; nothing is created until asked."""

    config: Path
    data: Path
    cache: Path
    logs: Path

    @property
    def settings_file(self) -> Path:
        """The TOML settings file."""
        return self.config / "settings.toml"


def app_dirs() -> AppDirs:
    """The folders for this user, honouring QWEN_MATH_HOME."""
    home = os.environ.get("QWEN_MATH_HOME")
    if home:
        root = Path(home).expanduser()
        return AppDirs(root / "config", root / "data", root / "cache", root / "logs")
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return AppDirs(
        Path(dirs.user_config_dir),
        Path(dirs.user_data_dir),
        Path(dirs.user_cache_dir),
        Path(dirs.user_log_dir),
    )
