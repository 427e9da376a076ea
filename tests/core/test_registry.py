"""The registry picks a backend per stage from flags, settings and the environment."""

from __future__ import annotations

import importlib.machinery
import sys
import threading
import types
from collections.abc import Iterator

import pytest

from desktop_app.core.backends import registry
from desktop_app.core.backends.dashscope_cloud import DashScopeBackend
from desktop_app.core.backends.openai_compatible import OpenAICompatibleBackend
from desktop_app.core.errors import ConfigError, MissingKeyError
from desktop_app.core.secrets import MISSING_KEY
from desktop_app.core.settings import ServerProfile, Settings
from tests.fakes.openai_server import FakeOpenAI

LAB = ServerProfile(
    "Lab vLLM",
    "http://lab:8000/v1",
    api_key_env="LAB_KEY",
    reader_model="Qwen/Qwen2.5-VL-7B-Instruct",
    solver_model="Qwen/Qwen2.5-Math-72B-Instruct",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No OPENAI_* or key variables leak in from the developer's shell."""
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "LAB_KEY", "DASHSCOPE_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key="lab-key", models=[LAB.solver_model, "m"]) as fake:
        yield fake


def lab_settings(base_url: str = LAB.base_url, solver: str = "openai:Lab vLLM") -> Settings:
    settings = Settings(servers=[ServerProfile(**{**vars(LAB), "base_url": base_url})])
    settings.backends.solver = solver
    return settings


def test_defaults_are_cloud_and_a_missing_key_keeps_the_gui_sentence() -> None:
    """GIVEN default settings THEN both stages are DashScope and no key gives MISSING_KEY."""
    backends = registry.build_backends(Settings(), api_key=lambda: None)
    assert (backends.reader_model, backends.solver_model) == (
        "qwen-vl-max-latest",
        "qwen2.5-math-72b-instruct",
    )
    with pytest.raises(MissingKeyError) as info:  # a ConfigError the window can act on
        backends.solver()
    assert str(info.value) == MISSING_KEY
    cloud = registry.build_backends(Settings(), api_key=lambda: "k")
    assert isinstance(cloud.reader(), DashScopeBackend)
    assert cloud.reader() is cloud.solver()  # one backend for both stages


def test_per_stage_choice_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN solver = openai:Lab vLLM THEN the solver uses the profile and the reader the cloud."""
    monkeypatch.setenv("LAB_KEY", "lab-key")
    backends = registry.build_backends(lab_settings(), api_key=lambda: "k")
    solver = backends.solver()
    assert isinstance(solver, OpenAICompatibleBackend)
    assert (solver.base_url, solver.solver_model) == (LAB.base_url, LAB.solver_model)
    assert backends.solver_model == LAB.solver_model
    assert isinstance(backends.reader(), DashScopeBackend)


@pytest.mark.parametrize(
    ("kwargs", "env_url", "expected"),
    [
        ({"backend": "openai", "base_url": "http://flag/v1"}, "http://env/v1", "http://flag/v1"),
        ({"backend": "openai"}, "http://env/v1", "http://env/v1"),
        ({"solver": "openai:Lab vLLM"}, "http://env/v1", LAB.base_url),
    ],
    ids=["flag-beats-env", "env", "named-profile-beats-env"],
)
def test_which_server_plain_openai_means(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, str], env_url: str, expected: str
) -> None:
    """GIVEN --base-url, a profile and OPENAI_BASE_URL THEN they win in that order."""
    monkeypatch.setenv("OPENAI_BASE_URL", env_url)
    monkeypatch.setenv("LAB_KEY", "lab-key")
    settings = lab_settings(solver="cloud")
    settings.servers.append(ServerProfile("Other", "http://other/v1"))
    backends = registry.build_backends(settings, solver_model="m", **kwargs)  # type: ignore[arg-type]
    assert backends.solver().base_url == expected


def test_no_server_is_a_config_error_when_the_stage_runs() -> None:
    """GIVEN --backend openai and no server anywhere THEN building works, running explains."""
    backends = registry.build_backends(Settings(), backend="openai", solver_model="m")
    with pytest.raises(ConfigError) as info:
        backends.solver()
    assert str(info.value) == registry.NO_SERVER


def test_missing_model_and_missing_key_variable_are_named() -> None:
    """GIVEN no model, or an unset api_key_env THEN the ConfigError says which."""
    adhoc = registry.build_backends(Settings(), backend="openai", base_url="http://h/v1")
    with pytest.raises(ConfigError, match="--solver-model"):
        adhoc.solver()
    with pytest.raises(ConfigError, match="LAB_KEY environment variable, which is not set"):
        registry.build_backends(lab_settings()).solver()


def test_profile_key_and_headers_reach_the_server(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a profile with api_key_env and headers THEN the fake server sees both."""
    monkeypatch.setenv("LAB_KEY", "lab-key")
    settings = lab_settings(server.base_url)
    settings.servers[0].extra_headers = {"X-Route": "gpu-pool"}
    solver = registry.build_backends(settings).solver()
    assert "".join(solver.solve([{"role": "user", "content": "1+1"}], threading.Event()))
    solver.close()  # type: ignore[attr-defined]
    (request,) = server.chat_requests()
    assert (request.api_key, request.headers["x-route"]) == ("lab-key", "gpu-pool")
    assert registry.test_connection(settings.servers[0]) == sorted([LAB.solver_model, "m"])


def test_ad_hoc_server_takes_openai_api_key(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN --base-url and OPENAI_API_KEY THEN that key is sent."""
    monkeypatch.setenv("OPENAI_API_KEY", "lab-key")
    backends = registry.build_backends(
        Settings(), backend="openai", base_url=server.base_url, solver_model="m"
    )
    solver = backends.solver()
    assert "".join(solver.solve([{"role": "user", "content": "1+1"}], threading.Event()))
    solver.close()  # type: ignore[attr-defined]
    assert server.chat_requests()[0].api_key == "lab-key"


def test_wrong_key_names_where_it_came_from(server: FakeOpenAI) -> None:
    """GIVEN no key for a locked server THEN the 401 sentence names OPENAI_API_KEY."""
    profile = ServerProfile("Locked", server.base_url)
    with pytest.raises(ConfigError, match="check the OPENAI_API_KEY variable"):
        registry.test_connection(profile)


def test_local_without_its_module_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN --backend local and no local module THEN a ConfigError when the stage runs."""
    monkeypatch.setattr(registry, "LOCAL_MODULE", "desktop_app.core.backends.no_such_module")
    backends = registry.build_backends(Settings(), backend="local")
    assert backends.solver_model == "Qwen/Qwen2.5-Math-1.5B-Instruct"
    with pytest.raises(ConfigError) as info:
        backends.solver()
    assert str(info.value) == registry.LOCAL_MISSING


def test_local_hook_builds_one_backend_from_model_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a local_transformers module THEN LocalTransformersBackend gets the model paths."""
    module = types.ModuleType(registry.LOCAL_MODULE)
    module.__spec__ = importlib.machinery.ModuleSpec(registry.LOCAL_MODULE, None)

    class LocalTransformersBackend:
        def __init__(self, reader_model: str, solver_model: str, **options: object) -> None:
            self.models = (reader_model, solver_model)
            self.options = options

    module.LocalTransformersBackend = LocalTransformersBackend  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, registry.LOCAL_MODULE, module)
    backends = registry.build_backends(Settings(), backend="local", solver_model="/models/7b")
    local = backends.solver()
    assert local.models == ("Qwen/Qwen2-VL-2B-Instruct", "/models/7b")  # type: ignore[attr-defined]
    assert backends.reader() is local
    assert local.options["max_new_tokens"] == 2048  # type: ignore[attr-defined]
    assert local.options["idle_unload_s"] == 600  # type: ignore[attr-defined]


def test_an_unknown_backend_name_is_a_usage_error() -> None:
    """GIVEN --backend banana THEN one sentence naming the valid choices, exit code 2."""
    from desktop_app.core.errors import UsageError

    with pytest.raises(UsageError, match="use cloud, local or openai") as info:
        registry.build_backends(Settings(), backend="banana")
    assert info.value.exit_code == 2
