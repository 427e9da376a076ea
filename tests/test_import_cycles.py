"""No import cycles among our modules: lazy (function-level) imports count, imports made only
for type checking (`if TYPE_CHECKING:`) do not."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Mapping, Set
from pathlib import Path

import grimp
import pytest


def import_graph(package: str) -> dict[str, set[str]]:
    """Each module of `package` -> the modules of `package` it imports, wherever in the file."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    return {
        module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules
    }


def cycles(graph: Mapping[str, Set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # iterative, so a deep import chain cannot hit the recursion limit
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def test_our_package_has_no_import_cycles() -> None:
    """GIVEN every module of desktop_app WHEN their imports (lazy ones too) are followed THEN no
    module comes back to itself."""
    graph = import_graph("desktop_app")
    assert len(graph) > 100  # the whole package was read
    assert cycles(graph) == []


@pytest.fixture
def tangled_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package with a cycle through a function-level import, and one only for type checking."""
    root = tmp_path / "tangled"
    root.mkdir()
    files = {
        "__init__.py": "",
        "a.py": "import tangled.b\n",
        "b.py": "def later():\n    from tangled import a\n    return a\n",
        "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tangled import d\n",
        "d.py": "import tangled.c\n",
    }
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "tangled"
    for name in [m for m in sys.modules if m == "tangled" or m.startswith("tangled.")]:
        del sys.modules[name]


def test_the_finder_sees_lazy_cycles_and_ignores_type_only_ones(tangled_package: str) -> None:
    """GIVEN a cycle made by an import inside a function, and one made by a TYPE_CHECKING
    import WHEN cycles are looked for THEN the first is found and the second is not."""
    assert cycles(import_graph(tangled_package)) == [["tangled.a", "tangled.b"]]
