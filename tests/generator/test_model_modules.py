"""Splitting the models source into lazily loaded modules: groups, imports, and what loads when."""

from __future__ import annotations

import ast
import gc
import json
import subprocess
import sys
import textwrap
import warnings

import pytest
from acs_sdkgen.emit import model_modules
from acs_sdkgen.emit.model_modules import split_models

SOURCE = textwrap.dedent(
    '''\
    """Models."""

    from __future__ import annotations

    from enum import Enum
    from typing import Annotated, TypeAlias, Union

    from pydantic import BaseModel, Field


    class Colour(Enum):
        red = "red"


    Size: TypeAlias = int
    """A size in bytes."""


    class Node(BaseModel):
        children: list[Node] | None = None
        owner: Owner | None = None


    class Owner(BaseModel):
        nodes: list[Node]
        colour: Colour = Colour.red


    class Leaf(BaseModel):
        size: Annotated[Size, Field(description="Size; see Owner")]


    Expr: TypeAlias = Union[float, "Call"]


    class Call(BaseModel):
        args: list[Expr]


    class Sheet(BaseModel):
        formula: Expr


    Call.model_rebuild()
    '''
)


@pytest.fixture(scope="module")
def split():  # type: ignore[no-untyped-def]
    """The sample split once."""
    return split_models(SOURCE, "header")


def _imports(text: str) -> dict[str, set[str]]:
    """Module → names imported from it."""
    found: dict[str, set[str]] = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found.setdefault(module, set()).update(a.name for a in node.names)
    return found


def test_mutually_recursive_classes_share_a_module(split) -> None:  # type: ignore[no-untyped-def]
    """Node and Owner refer to each other: one module; everything else alone."""
    assert split.owners == {
        "Call": "_expr",
        "Colour": "_colour",
        "Expr": "_expr",
        "Leaf": "_leaf",
        "Node": "_node",
        "Owner": "_node",
        "Sheet": "_sheet",
        "Size": "_size",
    }
    assert set(split.sources) == {"_colour", "_expr", "_leaf", "_node", "_sheet", "_size"}


def test_each_module_imports_exactly_what_it_uses(split) -> None:  # type: ignore[no-untyped-def]
    """Only used library names; siblings by relative import; the future import kept."""
    assert _imports(split.sources["_node"]) == {
        "__future__": {"annotations"},
        "pydantic": {"BaseModel"},
        "._colour": {"Colour"},
    }
    assert _imports(split.sources["_leaf"]) == {
        "__future__": {"annotations"},
        "typing": {"Annotated"},
        "pydantic": {"BaseModel", "Field"},
        "._size": {"Size"},
    }


def test_alias_with_a_forward_reference_brings_its_target(split) -> None:  # type: ignore[no-untyped-def]
    """`Expr` names "Call" in a string: a module using Expr imports Call too, to resolve it."""
    assert _imports(split.sources["_sheet"])["._expr"] == {"Call", "Expr"}


def test_statements_stay_with_what_they_belong_to(split) -> None:  # type: ignore[no-untyped-def]
    """The attribute docstring follows its alias; `model_rebuild()` follows its class."""
    assert '"""A size in bytes."""' in split.sources["_size"]
    expr = split.sources["_expr"]
    assert expr.index("class Call") < expr.index("Call.model_rebuild()")
    assert "see Owner" in split.sources["_leaf"] and "_node" not in split.sources["_leaf"]


def test_every_module_compiles_and_the_package_imports(split, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Written out as a package, each module imports and the recursive models validate."""
    package = tmp_path / "sample"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for stem, text in split.sources.items():
        compile(text, stem, "exec")
        (package / f"{stem}.py").write_text(text)
    code = (
        "import sys, json\n"
        "from sample._sheet import Sheet\n"
        "s = Sheet.model_validate({'formula': {'args': [1.5, {'args': []}]}})\n"
        "print(json.dumps([type(s.formula).__name__, sorted(m for m in sys.modules if m.startswith('sample.'))]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == ["Call", ["sample._expr", "sample._sheet"]]


def test_a_chain_of_aliases_brings_every_target_it_reaches(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`RequestMap = dict[str, "WriteRequests"]`, `WriteRequests = list["WriteRequest"]` (AWS dynamodb): a class using
    RequestMap imports WriteRequest too, so `typing.get_type_hints` resolves its fields (it raised NameError)."""
    source = textwrap.dedent(
        '''\
        from __future__ import annotations

        from dataclasses import dataclass
        from typing import TypeAlias


        @dataclass
        class WriteRequest:
            key: str


        WriteRequests: TypeAlias = list["WriteRequest"]

        RequestMap: TypeAlias = dict[str, "WriteRequests"]


        @dataclass
        class BatchInput:
            items: RequestMap
        '''
    )
    split = split_models(source, "h")
    assert _imports(split.sources["_batch_input"])["._write_request"] == {"WriteRequest"}
    package = tmp_path / "chain"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for stem, text in split.sources.items():
        (package / f"{stem}.py").write_text(text)
    probe = "import typing; from chain._batch_input import BatchInput; print(typing.get_type_hints(BatchInput)['items'])"
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "WriteRequest" in done.stdout, done.stderr


def test_module_names_never_collide() -> None:
    """`ABC` and `Abc` both snake to `abc`: the second module gets a suffix."""
    split = split_models("class ABC:\n    pass\n\n\nclass Abc:\n    pass\n", "h")
    assert split.owners == {"ABC": "_abc", "Abc": "_abc_2"}


def test_strings_that_are_values_never_tie_modules() -> None:
    """An enum member, a docstring or a Literal value that spells a class name is not a reference to it
    (Azure billing: `DocumentKind.invoice = "Invoice"` put `Invoice` into the enum's module)."""
    source = textwrap.dedent(
        '''\
        class DocumentKind(Enum):
            """Invoice"""

            invoice = "Invoice"


        class Document(BaseModel):
            kind: DocumentKind
            tag: Literal["Invoice"] = "Invoice"


        class Invoice(BaseModel):
            documents: list[Document]
        '''
    )
    assert split_models(source, "h").owners == {"Document": "_document", "DocumentKind": "_document_kind", "Invoice": "_invoice"}


def test_field_and_member_names_never_tie_modules() -> None:
    """A TypedDict key or an enum member spelt like a class is not a reference to it (osisoft: `TimeRule: str`
    in `AnalysisLinks` put the class `TimeRule` into that module)."""
    source = textwrap.dedent(
        '''\
        class AnalysisLinks(TypedDict):
            TimeRule: NotRequired[str]


        class Kind(Enum):
            TimeRule = "rule"


        class TimeRule(TypedDict):
            Links: NotRequired[AnalysisLinks]
            kind: NotRequired[Kind]
        '''
    )
    assert split_models(source, "h").owners == {"AnalysisLinks": "_analysis_links", "Kind": "_kind", "TimeRule": "_time_rule"}


def test_an_unknown_statement_is_an_error_that_says_where() -> None:
    """Anything but imports, classes, aliases and calls on them is refused with its line."""
    with pytest.raises(ValueError, match="line 3"):
        split_models("import os\n\nfor x in []:\n    pass\n", "h")


def test_importing_one_model_loads_only_its_modules() -> None:
    """In the generated Outbound Bot SDK, a response model loads its own closure and nothing else."""
    code = (
        "import sys, json, outboundbot\n"
        "outboundbot.DescribeInstanceResponse\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('outboundbot.models.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [
        "outboundbot.models._describe_instance_response",
        "outboundbot.models._instance",
    ]


def test_a_string_that_is_no_expression_gives_no_warning() -> None:
    """A field description such as "1or more" is read as a possible forward reference: no `SyntaxWarning` reaches the user."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert model_modules._names_in("1or more") == {"more"}
    assert [str(w.message) for w in caught] == []


@pytest.mark.parametrize("collecting", [True, False])
def test_parsing_a_module_pauses_the_collector_and_leaves_it_as_it_was(collecting: bool, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[bool] = []
    parse = ast.parse
    monkeypatch.setattr(model_modules.ast, "parse", lambda source: seen.append(gc.isenabled()) or parse(source))
    (gc.enable if collecting else gc.disable)()
    try:
        tree = model_modules.parse_module(SOURCE)
        assert gc.isenabled() is collecting
    finally:
        gc.enable()
    assert seen == [False]
    assert ast.dump(tree) == ast.dump(parse(SOURCE))
