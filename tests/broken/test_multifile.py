"""Multi-file specs: bundling into one document with local refs, names, identity, external and remote refs."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from acs_sdkgen.diagnostics import SpecError
from acs_sdkgen.spec import refs
from acs_sdkgen.spec.loader import load_spec
from acs_sdkgen.spec.validate import iter_refs, validate_spec

HERE = Path(__file__).resolve().parent
OK = HERE / "ok_multifile"
HEAD = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"


def write(root: Path, files: dict[str, str]) -> Path:
    """Write files under root; return the first one (the main spec)."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / next(iter(files))


def problems(path: Path, **options: Any) -> list[str]:
    """Formatted diagnostics of loading and validating a spec that must fail."""
    with pytest.raises(SpecError) as info:
        validate_spec(load_spec(path, **options))
    return [d.format() for d in info.value.diagnostics]


def test_bundled_document_has_only_local_refs() -> None:
    """Every target lands in its components section; refs between bundled files are rewritten too."""
    spec = load_spec(OK / "openapi.yaml")
    assert all(ref.startswith("#/components/") for _, ref in iter_refs(spec.data))
    components = spec.data["components"]
    assert sorted(components["schemas"]) == ["Error", "Owner", "pet", "pet-list", "tag"]
    assert sorted(components["parameters"]) == ["Limit", "PetId"]
    assert sorted(components["responses"]) == ["NotFound", "Unexpected"]
    assert list(components["requestBodies"]) == ["NewPet"] and list(
        components["examples"]
    ) == ["rex"]
    assert (
        spec.data["paths"]["/pets"]["get"]["operationId"] == "ListPets"
    )  # path item inlined
    assert components["schemas"]["Owner"]["properties"]["pets"]["items"] == {
        "$ref": "#/components/schemas/pet"
    }
    assert "Unused" not in components["schemas"]  # only what is referenced is bundled
    assert validate_spec(spec).items == []


def test_spec_hash_covers_every_file_read() -> None:
    """sha256 of the main bytes, then each other file's relative name and bytes, in name order."""
    digest = hashlib.sha256((OK / "openapi.yaml").read_bytes())
    names = [
        "common.yaml",
        "examples/rex.yaml",
        "parameters.yaml",
        "paths/pets.yaml",
        "schemas/pet-list.yaml",
        "schemas/pet.yaml",
        "schemas/tag.yaml",
    ]
    for name in names:
        digest.update(b"\0" + name.encode() + b"\0" + (OK / name).read_bytes())
    spec = load_spec(OK / "openapi.yaml")
    assert spec.sha256 == digest.hexdigest() and spec.sources == tuple(names)


def test_single_file_hash_is_the_file_hash() -> None:
    """Without other files the identity is the plain hash of the file (manifests stay as they were)."""
    spec = HERE.parent.parent / "spec" / "outboundbot.yaml"
    assert load_spec(spec).sha256 == hashlib.sha256(spec.read_bytes()).hexdigest()


def test_name_clash_is_resolved_and_noted(tmp_path: Path) -> None:
    """A taken name gets a numbered one; the notice reaches the validator's collector."""
    main = write(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + "paths: {}\ncomponents:\n  schemas:\n    Pet: {type: string}\n"
            "    Pets:\n      type: array\n      items: {$ref: 'models.yaml#/Pet'}\n",
            "models.yaml": "Pet: {type: object}\n",
        },
    )
    spec = load_spec(main)
    assert spec.data["components"]["schemas"]["Pet_2"] == {"type": "object"}
    assert [d.format() for d in validate_spec(spec).items] == [
        "INFO openapi.yaml:9#/components/schemas/Pets/items/$ref: schema 'models.yaml#/Pet' is bundled as 'Pet_2': 'Pet' is already taken"
    ]


def test_same_file_by_two_paths_is_read_once(tmp_path: Path) -> None:
    """`x.yaml` and `sub/../x.yaml` are one file: one components entry."""
    main = write(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'x.yaml'}\n    B: {$ref: 'sub/../x.yaml'}\n",
            "x.yaml": "type: string\n",
        },
    )
    schemas = load_spec(main).data["components"]["schemas"]
    assert schemas == {"A": {"type": "string"}, "B": {"$ref": "#/components/schemas/A"}}


def test_path_items_that_include_themselves(tmp_path: Path) -> None:
    """A path item whose callback is that same path item is a cycle, reported in the file that closes it."""
    main = write(
        tmp_path,
        {
            "openapi.yaml": HEAD + "paths:\n  /a: {$ref: 'a.yaml'}\n",
            "a.yaml": "post:\n  responses: {'200': {description: ok}}\n  callbacks:\n    again:\n      '{$url}': {$ref: 'a.yaml'}\n",
        },
    )
    assert problems(main) == [
        "ERROR a.yaml:5#/post/callbacks/again/{$url}/$ref: $ref 'a.yaml' makes path items include themselves: a cycle that never resolves"
    ]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            "x.yaml#Pet",
            "$ref 'x.yaml#Pet': the fragment must be a JSON pointer (#/...)",
        ),
        ("sub", "$ref 'sub' points to a directory, not a file: sub"),
        (
            "x.yaml#/Nope",
            "$ref 'x.yaml#/Nope' points to nothing (#/Nope does not exist in x.yaml)",
        ),
    ],
)
def test_bad_references(tmp_path: Path, ref: str, message: str) -> None:
    """Each kind of unusable reference is located at its $ref."""
    (tmp_path / "sub").mkdir()
    main = write(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + f"paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '{ref}'}}\n",
            "x.yaml": "Pet: {}\n",
        },
    )
    assert problems(main) == [
        f"ERROR openapi.yaml:6#/components/schemas/A/$ref: {message}"
    ]


def test_files_beyond_the_bound_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The number of files is bounded like the size of each."""
    monkeypatch.setattr(refs, "MAX_FILES", 2)
    schemas = "".join(f"    S{i}: {{$ref: 's{i}.yaml'}}\n" for i in range(3))
    main = write(
        tmp_path,
        {
            "openapi.yaml": HEAD + "paths: {}\ncomponents:\n  schemas:\n" + schemas,
            **{f"s{i}.yaml": "type: string\n" for i in range(3)},
        },
    )
    assert problems(main) == [
        f"ERROR openapi.yaml:{6 + i}#/components/schemas/S{i}/$ref: $ref 's{i}.yaml': the spec is too large: it has more than 2 files"
        for i in (1, 2)
    ]


def test_external_refs_need_the_option(tmp_path: Path) -> None:
    """`../` is refused by default and followed with allow_external_refs; the file is named relative to the spec."""
    main = write(
        tmp_path,
        {
            "api/openapi.yaml": HEAD
            + "paths: {}\ncomponents:\n  schemas:\n    Pet: {$ref: '../shared/pet.yaml'}\n",
            "shared/pet.yaml": "type: [object\n",
        },
    )
    assert problems(main)[0].startswith(
        "ERROR openapi.yaml:6#/components/schemas/Pet/$ref: $ref '../shared/pet.yaml' points outside"
    )
    [error] = problems(main, allow_external_refs=True)
    assert error.startswith("ERROR ../shared/pet.yaml:2: not valid YAML/JSON")
    (tmp_path / "shared/pet.yaml").write_text("type: object\n")
    spec = load_spec(main, allow_external_refs=True)
    assert spec.data["components"]["schemas"]["Pet"] == {"type": "object"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves a directory without logging to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, served directory) of an HTTP server on 127.0.0.1."""
    served = tmp_path / "served"
    served.mkdir()
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: _Quiet(*a, directory=str(served))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_remote_refs(tmp_path: Path, server: tuple[str, Path]) -> None:
    """URLs are refused by default; with allow_remote_refs they are fetched, relative refs inside them too."""
    base, served = server
    write(
        served,
        {
            "pet.yaml": "type: object\nproperties:\n  tag: {$ref: 'tag.yaml'}\n",
            "tag.yaml": "type: string\n",
        },
    )
    main = write(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + f"paths: {{}}\ncomponents:\n  schemas:\n    Pet: {{$ref: '{base}/pet.yaml'}}\n"
        },
    )
    [error] = problems(main)
    assert error == (
        f"ERROR openapi.yaml:6#/components/schemas/Pet/$ref: $ref '{base}/pet.yaml' points to a URL"
        " (hint: remote references are refused by default; fetch them with --allow-remote-refs (allow_remote_refs=True))"
    )
    spec = load_spec(main, allow_remote_refs=True)
    assert spec.data["components"]["schemas"] == {
        "Pet": {
            "type": "object",
            "properties": {"tag": {"$ref": "#/components/schemas/tag"}},
        },
        "tag": {"type": "string"},
    }
    digest = hashlib.sha256(main.read_bytes())
    for name in ("pet.yaml", "tag.yaml"):
        digest.update(
            b"\0" + f"{base}/{name}".encode() + b"\0" + (served / name).read_bytes()
        )
    assert spec.sha256 == digest.hexdigest()


def test_remote_problems_name_the_url(tmp_path: Path, server: tuple[str, Path]) -> None:
    """A missing remote file and a remote file with a refused tag are both reported, by URL."""
    base, served = server
    write(served, {"bad.yaml": "type: !!python/name:os.system\n"})
    main = write(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + f"paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '{base}/nope.yaml'}}\n    B: {{$ref: '{base}/bad.yaml'}}\n"
        },
    )
    assert problems(main, allow_remote_refs=True) == [
        f"ERROR {base}/bad.yaml:1#/type: YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed in a spec (it is never executed)",
        f"ERROR openapi.yaml:6#/components/schemas/A/$ref: $ref '{base}/nope.yaml': cannot fetch {base}/nope.yaml: HTTP 404 File not found",
    ]
