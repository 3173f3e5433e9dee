"""The package's imports point one way (STYLE.md "Layout that shows the architecture"), read from the source.

Every ``import`` in ``disco_magics`` is parsed with ``ast`` (imports inside functions count: they run too;
those under ``if TYPE_CHECKING:`` do not) and reduced to the subsystem it names: ``model``, ``display``,
``api``... The tests then check the rules a newcomer can break without noticing: a cycle between subsystems,
``model`` reaching up to ``display``, a layer below the magics importing IPython.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "disco_magics"

#: STYLE.md: magics -> api -> generate | stats | synthetic | sources -> llm | store -> parse -> model
CHAIN = {"magics": 5, "api": 4, "generate": 3, "stats": 3, "synthetic": 3, "sources": 3, "llm": 2, "store": 2, "parse": 1, "model": 0}

#: Modules allowed to reach past their layer, each with the reason. The live table subscribes to the
#: session, refreshes rows through ``api`` and publishes displays through IPython: it is the magics'
#: glue around the widget, kept beside the widget it drives.
EXCEPTIONS = {"disco_magics.widgets.live": {"api", "session", "errors", "IPython"}}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST):
    """Import nodes that run, skipping ``if TYPE_CHECKING:`` bodies."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _runtime_imports_of(child))
            continue
        yield from _runtime_imports_of(node)


def _runtime_imports_of(node: ast.AST):
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _runtime_imports(node)


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    # ``from .. import display`` names a module; ``from ..model import Result`` names the package
    return [f"{source}.{alias.name}" for alias in node.names] if not node.module else [source]


def _subsystem(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] == "IPython":
        return "IPython"
    if parts[0] != "disco_magics":
        return None
    return parts[1] if len(parts) > 1 else "disco_magics"


def _edges() -> dict[str, set[tuple[str, str]]]:
    """module -> {(subsystem it imports, the imported name)} for every module of the package."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _runtime_imports(tree):
            for target in _targets(module, path.name == "__init__.py", node):
                sub = _subsystem(target)
                if sub is not None:
                    found[module].add((sub, target))
    return found


EDGES = _edges()


def _own(module: str) -> str:
    return _subsystem(module) or module


def _outgoing(subsystem: str) -> dict[str, set[str]]:
    """imported subsystem -> the modules of ``subsystem`` importing it (exceptions left out)."""
    out: dict[str, set[str]] = defaultdict(set)
    for module, targets in EDGES.items():
        if _own(module) != subsystem:
            continue
        for sub, _ in targets:
            if sub != subsystem and sub not in EXCEPTIONS.get(module, ()):
                out[sub].add(module)
    return out


def test_the_reader_sees_the_package():
    assert "disco_magics.model.result" in EDGES
    assert ("model", "disco_magics.model") in EDGES["disco_magics.display.cards"] or any(
        sub == "model" for sub, _ in EDGES["disco_magics.display.cards"]
    )
    assert any(sub == "IPython" for sub, _ in EDGES["disco_magics.magics"])


def test_no_cycle_between_subsystems():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in EDGES.items():
        for sub, _ in targets:
            if sub != _own(module) and sub != "IPython":
                graph[_own(module)].add(sub)
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(list(graph)):
        if node not in state:
            visit(node)


def test_model_imports_nothing_of_ours_but_errors():
    assert set(_outgoing("model")) <= {"errors"}, dict(_outgoing("model"))


@pytest.mark.parametrize(
    ("subsystem", "allowed"),
    [("display", {"model", "formats"}), ("widgets", {"model", "display", "formats"}), ("formats", set())],
)
def test_display_and_widgets_depend_on_model_only(subsystem, allowed):
    # ``formats`` (numbers as people read them) is a leaf that stats and display share
    extra = {sub: sorted(mods) for sub, mods in _outgoing(subsystem).items() if sub not in allowed}
    assert not extra, f"{subsystem} imports {extra}"


def test_nothing_below_the_magics_imports_ipython():
    importers = sorted(
        module
        for module, targets in EDGES.items()
        if any(sub == "IPython" for sub, _ in targets)
        and _own(module) != "magics"
        and "IPython" not in EXCEPTIONS.get(module, ())
    )
    assert importers == []


def test_the_chain_points_down():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in EDGES.items()
        for sub, target in targets
        if _own(module) in CHAIN and sub in CHAIN and CHAIN[sub] > CHAIN[_own(module)]
        and sub not in EXCEPTIONS.get(module, ())
    )
    assert upward == []


def test_a_planted_upward_import_is_caught(tmp_path):
    # The reader itself must see an import inside a function (where the old model -> display one was).
    tree = ast.parse("def show(self):\n    from ..display import bundle\n    return bundle(self)\n")
    (node,) = list(_runtime_imports(tree))
    assert _targets("disco_magics.model._base", False, node) == ["disco_magics.display"]
    guarded = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..session import Session\n")
    assert [n.module for n in _runtime_imports(guarded)] == ["typing"]


#: A module past this many lines is usually several concepts (model/dataset.py was four at 880 lines).
MAX_MODULE_LINES = 600


def test_no_module_is_a_grab_bag():
    long = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these by concept: {long}"
