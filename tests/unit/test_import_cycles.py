"""No import circles among services/ and reports/: counting imports inside functions too, which is how a
circle used to be hidden (exports ↔ grid_reports ↔ member_statistics, points ↔ point_rules)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "partybuild_desktop"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, folders: list[str]) -> dict[str, set[str]]:
    """Module → the modules of ``folders`` it imports, anywhere in its body."""
    paths = [p for folder in folders for p in sorted((root / folder).rglob("*.py"))]
    modules = {module_name(p, root): p for p in paths}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                targets.add(base)
                targets.update(f"{base}.{a.name}" for a in node.names)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_services_and_reports_import_no_circle():
    assert cycles(import_graph(PACKAGE, ["services", "reports"])) == []


def test_the_scan_sees_a_circle_hidden_in_a_function(tmp_path):
    root = tmp_path / "pkg"
    (root / "services").mkdir(parents=True)
    (root / "services" / "__init__.py").write_text("")
    (root / "services" / "a.py").write_text("from pkg.services.b import thing\n")
    (root / "services" / "b.py").write_text("def thing():\n    from . import a\n    return a\n")
    (root / "services" / "c.py").write_text("from pkg.services import a\n")
    assert cycles(import_graph(root, ["services"])) == [["pkg.services.a", "pkg.services.b"]]
