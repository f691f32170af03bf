"""Split the models source into one module per group of mutually dependent definitions.

A package of many small modules lets `models/__init__.py` load a class, and only what it needs, on
first use: importing one model of a 1000-operation API no longer builds every other model.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic
from ..ir.names import Namespace, snake
from ..memory import collector_paused


@dataclass
class Definition:
    """One top-level name of the models source: its statements and the names they mention."""

    name: str
    statements: list[ast.stmt] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # mentioned as code
    forward: set[str] = field(default_factory=set)  # mentioned only inside strings (forward references)
    is_alias: bool = False


@dataclass(frozen=True)
class ModelModules:
    """Module stem → source, which module defines each exported name, and the library's notes on the models."""

    sources: dict[str, str]
    owners: dict[str, str]
    notes: tuple[Diagnostic, ...] = ()


def split_models(source: str, header: str, stems: Mapping[str, str] | None = None) -> ModelModules:
    """Cut `source` (one models module) into modules, each importing exactly what it uses.

    A module is named by `stems` of its first definition (stems decided over several sources), else by
    that definition's name in snake case, made unique.
    """
    tree = parse_module(source)
    lines = source.splitlines(keepends=True)
    imports: list[ast.stmt] = []
    future = False
    definitions: dict[str, Definition] = {}
    previous: str | None = None  # the definition the last statement belonged to
    for node in tree.body:
        if _is_docstring(node):
            if previous is not None:  # an attribute docstring: it follows the alias it documents
                definitions[previous].statements.append(node)
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            future = True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(node)
        else:
            previous = _add(definitions, node)
    needs = _needs(definitions)
    groups = strongly_connected(definitions, needs)
    given = dict(stems or {})
    namespace = Namespace(style="snake", taken={stem: name for name, stem in given.items()})
    heads = {group[0]: given.get(group[0]) or namespace.claim("_" + snake(group[0]), group[0]) for group in groups}
    owners = {name: heads[group[0]] for group in groups for name in group}
    sources = {
        heads[group[0]]: _module(group, definitions, needs, owners, imports, future, lines, header)
        for group in groups
    }
    return ModelModules(sources, dict(sorted(owners.items())))


def parse_module(source: str) -> ast.Module:
    """`ast.parse(source)` with the garbage collector paused (in a models worker, collections took half the time of
    parsing a shard's module)."""
    with collector_paused():
        return ast.parse(source)


def _is_docstring(node: ast.stmt) -> bool:
    """A bare string expression."""
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _add(definitions: dict[str, Definition], node: ast.stmt) -> str:
    """File a class, an alias or a call such as `Name.model_rebuild()` under the name it belongs to; return it."""
    if isinstance(node, ast.ClassDef):
        name, alias = node.name, False
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        name, alias = node.target.id, True
    elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        name, alias = node.targets[0].id, True
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and (owner := _base_name(node.value.func)):
        name, alias = owner, False
    else:
        raise ValueError(f"unexpected statement at line {node.lineno} of the models source: {ast.dump(node)[:80]}")
    definition = definitions.setdefault(name, Definition(name))
    definition.statements.append(node)
    definition.is_alias |= alias
    nodes = _nodes(node)  # walked once: the tests below look at every node
    values = {id(child.value) for child in nodes if isinstance(child, ast.keyword)}  # alias=, description=, …
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        values.add(id(node.value))  # a field's default
    members: set[int] = set()  # names a class body gives its fields and enum members: not references
    for child in nodes:
        if isinstance(child, ast.ClassDef):  # enum members, docstrings
            body = child.body
            values |= {id(s.value) for s in body if isinstance(s, (ast.Assign, ast.AnnAssign, ast.Expr)) and s.value}
            members |= {id(s.target) for s in body if isinstance(s, ast.AnnAssign)}
            members |= {id(t) for s in body if isinstance(s, ast.Assign) for t in s.targets}
        elif isinstance(child, ast.Subscript) and _base_name(child.value) == "Literal":  # literal values
            values |= {id(value) for value in _nodes(child.slice)}
    for child in nodes:
        if isinstance(child, ast.Name) and id(child) not in members:
            definition.names.add(child.id)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str) and id(child) not in values:
            definition.forward |= _names_in(child.value)  # a string that is not a value may be a forward reference
    return name


def _nodes(root: ast.AST) -> list[ast.AST]:
    """`root` and every node under it: `ast.walk`'s nodes in another order, in two thirds of its time."""
    nodes = [root]
    for node in nodes:  # the list grows while it is read
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                nodes.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                nodes.append(value)
    return nodes


def _base_name(node: ast.expr) -> str | None:
    """`A` of `A.b.c`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _names_in(text: str) -> set[str]:
    """Names of `text` read as a Python expression (a forward reference); none if it is not one."""
    if len(text) > 1000:
        return set()
    try:
        with warnings.catch_warnings():  # a description such as "1st" is no expression, and no warning either
            warnings.simplefilter("ignore", SyntaxWarning)
            expression = ast.parse(text, mode="eval")
    except SyntaxError:
        return set()
    return {child.id for child in ast.walk(expression) if isinstance(child, ast.Name)}


def _needs(definitions: dict[str, Definition]) -> dict[str, set[str]]:
    """Definitions each one must import: those it mentions, plus forward references of aliases it uses.

    An alias such as `Expr = Union[float, "Call"]` is resolved where it is used, so a module using
    `Expr` needs `Call` in its namespace too, and so on through aliases it names (AWS dynamodb's
    `RequestMap = dict[str, "WriteRequests"]` with `WriteRequests = list["WriteRequest"]`).
    """
    forward: dict[str, set[str]] = {}

    def alias_forward(name: str, seen: frozenset[str]) -> set[str]:
        """Forward references an alias carries, through the aliases it mentions."""
        if name not in forward:
            definition = definitions[name]
            found = definition.forward & definitions.keys() if definition.is_alias else set()
            for other in (definition.names | found) & definitions.keys():  # `dict[str, "Items"]`: Items's too
                if definitions[other].is_alias and other not in seen:
                    found |= alias_forward(other, seen | {name})
            forward[name] = found
        return forward[name]

    needs = {}
    for name, definition in definitions.items():
        direct = (definition.names | definition.forward) & definitions.keys()
        carried = set().union(*(alias_forward(d, frozenset({name})) for d in direct if definitions[d].is_alias))
        needs[name] = (direct | carried) - {name}
    return needs


def strongly_connected(definitions: Mapping[str, object], needs: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of the dependency graph (iterative Tarjan) of the names `definitions` lists, in
    order of their first member, members in that order."""
    order = {name: i for i, name in enumerate(definitions)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in definitions:
        if root in index:
            continue
        work = [(root, iter(sorted(needs[root], key=order.__getitem__)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(sorted(group, key=order.__getitem__))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(needs[child], key=order.__getitem__))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return sorted(groups, key=lambda group: order[group[0]])


def _module(
    group: list[str],
    definitions: dict[str, Definition],
    needs: dict[str, set[str]],
    owners: dict[str, str],
    imports: list[ast.stmt],
    future: bool,
    lines: list[str],
    header: str,
) -> str:
    """Source of one module: docstring, the imports its statements use, then the statements in source order."""
    members = [definitions[name] for name in group]
    used = set().union(*(d.names for d in members))
    statements = sorted((s for d in members for s in d.statements), key=lambda s: s.lineno)
    siblings: dict[str, set[str]] = {}
    for name in set().union(*(needs[n] for n in group)) - set(group):
        siblings.setdefault(owners[name], set()).add(name)
    blocks = [
        ["from __future__ import annotations\n"] if future else [],
        sorted((text for node in imports if (text := _import_text(node, used))), key=_import_order),
        [f"from .{stem} import {', '.join(sorted(names))}\n" for stem, names in sorted(siblings.items())],
    ]
    docstring = f'"""{", ".join(group)}: see the `models` package.\n\n{header}\n"""\n'
    body = ["".join(lines[_first_line(s) - 1 : s.end_lineno]) for s in statements]
    # black's blank lines after imports: two before a class or function, one before anything else
    gap = "\n\n" if isinstance(statements[0], (ast.ClassDef, ast.FunctionDef)) else "\n"
    return "\n".join([docstring, *("".join(b) for b in blocks if b)]) + gap + "\n\n".join(body)


def _import_text(node: ast.stmt, used: set[str]) -> str:
    """The import statement keeping only the names `used` mentions ("" if none)."""
    assert isinstance(node, (ast.Import, ast.ImportFrom))
    kept = [a for a in node.names if (a.asname or a.name.split(".")[0]) in used]
    if not kept:
        return ""
    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
    if isinstance(node, ast.Import):
        return f"import {names}\n"
    return f"from {'.' * node.level}{node.module or ''} import {names}\n"


def _import_order(text: str) -> tuple[bool, str]:
    """Standard library first, then by module: the same order whatever order the library wrote them in."""
    module = text.split()[1]
    return module.split(".")[0] not in sys.stdlib_module_names, module


def _first_line(node: ast.stmt) -> int:
    """First line of a statement, its decorators included."""
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators])
