"""Cycles among a package's modules and packages, from the imports in its source.

    .venv/bin/python -m devtools.import_cycles app

The nodes are what a reader finds the code by: each top-level module (`app/config.py` is
`config`), each package (`alerts`) and each sub-package (`roster.rota`); a module deeper down
belongs to the package folder that holds it, and a package's `__init__.py` to the package.
A parent and its sub-package are separate nodes, so `roster` <-> `roster.rota` is a cycle too.

There is an edge A -> B when a module of A imports something of B at run time: imports
inside functions count (they still tie the two together); imports in the body of an
`if TYPE_CHECKING:` block do not (they only name types, and run nowhere). Each cycle (a
strongly connected component of more than one node) is printed with its edges and, for
each edge, the first import that makes it. The exit status is 1 when there is a cycle.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Edge:
    """Node `source` imports from node `target`; `where` is the first such import."""

    source: str
    target: str
    where: str


@dataclass
class ImportGraph:
    """The nodes of one package and the run-time imports between them."""

    nodes: set[str] = field(default_factory=set)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)

    def add(self, edge: Edge) -> None:
        self.edges.setdefault((edge.source, edge.target), edge)

    def targets(self, node: str) -> list[str]:
        return sorted(target for source, target in self.edges if source == node)


class Package:
    """A package folder on disk: which node a dotted module name falls in."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = folder.name

    def node_of_file(self, path: Path) -> str:
        """The node a source file belongs to."""
        parts = path.relative_to(self.folder).with_suffix("").parts
        if len(parts) == 1:  # a top-level module, or the package's own __init__
            return self.name if parts[0] == "__init__" else parts[0]
        return ".".join(parts[:-1])

    def node_of_module(self, dotted: str) -> str | None:
        """The node of an imported name (`app.roster.rota.oncall.OSLO` -> `roster.rota`);
        None when it lies outside the package or names nothing in it."""
        first, *rest = dotted.split(".")
        if first != self.name:
            return None
        folder, package_parts = self.folder, list[str]()
        for part in rest:
            if (folder / part / "__init__.py").is_file():
                folder, package_parts = folder / part, [*package_parts, part]
            elif not package_parts and (folder / f"{part}.py").is_file():
                return part
            else:
                break
        return ".".join(package_parts) or None

    def is_module(self, dotted: str) -> bool:
        """Whether `dotted` names a module or package of this one (not an attribute)."""
        first, *rest = dotted.split(".")
        if first != self.name:
            return False
        path = self.folder.joinpath(*rest)
        return (path / "__init__.py").is_file() or path.with_suffix(".py").is_file()

    def module_name(self, path: Path) -> str:
        parts = path.relative_to(self.folder.parent).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    """`TYPE_CHECKING` or `typing.TYPE_CHECKING`."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth; `if TYPE_CHECKING:` bodies are
    skipped (their `else:` runs, so it is not)."""
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(reversed(node.orelse))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        pending.extend(reversed(list(ast.iter_child_nodes(node))))  # in source order


def imported_names(
    statement: ast.Import | ast.ImportFrom, module: str, is_package: bool
) -> list[str]:
    """The dotted names one statement imports, relative imports resolved against `module`."""
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names]
    base = statement.module or ""
    if statement.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (statement.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    return [f"{base}.{alias.name}" for alias in statement.names]


def build_graph(folder: Path) -> ImportGraph:
    """The graph of the package in `folder` (e.g. `app`), from every `.py` file under it."""
    package = Package(folder)
    graph = ImportGraph()
    for path in sorted(folder.rglob("*.py")):
        source = package.node_of_file(path)
        graph.nodes.add(source)
        module = package.module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for statement in runtime_imports(tree):
            names = imported_names(statement, module, path.name == "__init__.py")
            for name in names:
                # `from app.x import y` imports the module x.y when there is one, else x's y.
                if not package.is_module(name) and "." in name:
                    name = name.rpartition(".")[0]
                target = package.node_of_module(name)
                if target is None or target == source:
                    continue
                graph.nodes.add(target)
                where = f"{path.relative_to(folder.parent).as_posix()}:{statement.lineno}"
                graph.add(Edge(source, target, where))
    return graph


def cycles(graph: ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one node, each sorted (Tarjan's
    algorithm, iterative so a deep graph needs no recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.nodes):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(graph.targets(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(graph.targets(target))))
            elif target in on_stack:
                low[node] = min(low[node], index[target])
    return sorted(found)


def report(graph: ImportGraph, found: Sequence[Sequence[str]], package: str) -> list[str]:
    """The lines printed: each cycle with its edges, then a count."""
    lines: list[str] = []
    for component in found:
        lines.append("cycle: " + " <-> ".join(component))
        members = set(component)
        for source in component:
            for target in graph.targets(source):
                if target in members:
                    lines.append(f"  {source} -> {target}  ({graph.edges[source, target].where})")
    summary = f"{len(found)} cycle(s)" if found else "no import cycles"
    lines.append(f"{summary} among the {len(graph.nodes)} modules and packages of {package}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the package folder, e.g. app")
    folder = parser.parse_args(argv).package.resolve()
    if not (folder / "__init__.py").is_file():
        parser.error(f"{folder} is not a package (no __init__.py)")
    graph = build_graph(folder)
    found = cycles(graph)
    print("\n".join(report(graph, found, folder.name)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
