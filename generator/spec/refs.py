"""Bundle a multi-file spec: load each file a `$ref` names, copy its targets in, leave only local refs."""

from __future__ import annotations

import hashlib
import os
import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from ..diagnostics import Collector, Diagnostic, Level, Origins, SpecError, join_pointer

MAX_FILES = 256
MAX_INLINE_DEPTH = 16
FETCH_TIMEOUT = 15.0
EXTERNAL_HINT = "files outside the spec's directory are refused by default; allow them with --allow-external-refs (allow_external_refs=True)"
REMOTE_HINT = "remote references are refused by default; fetch them with --allow-remote-refs (allow_remote_refs=True)"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
# Schema keywords holding one subschema, a list of them, or a mapping of names to them.
SUBSCHEMA_KEYWORDS = tuple(
    "items additionalProperties not contains propertyNames if then else additionalItems unevaluatedItems"
    " unevaluatedProperties".split()
)
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
# Where a reference sits tells what it stands for, and so which components section receives its target.
_SECTIONS = set("schemas parameters responses examples headers links callbacks securitySchemes requestBodies".split())
_PATH_ITEM_PARENTS = {"paths", "webhooks", "pathItems"}
# Literal data, where a "$ref" key is just a key; and keywords whose members are names chosen by the author.
_DATA_KEYWORDS = {"example", "default", "enum", "const", "value"}
_NAME_MAPS = _SECTIONS | _PATH_ITEM_PARENTS | {*SUBSCHEMA_MAPS, "content", "encoding", "variables", "mapping", "scopes"}
_SINGULAR = {"requestBodies": "request body", "securitySchemes": "security scheme"}

Parse = Callable[[str, bytes], tuple[dict[str, Any], Mapping[str, int], list[tuple[str, dict[str, Any]]]]]


@dataclass
class Document:
    """One parsed file: its name in diagnostics, identity (real path or URL), location, data, lines and $ref holders."""

    name: str
    key: str
    location: Path | str
    data: dict[str, Any]
    lines: Mapping[str, int]
    refs: list[tuple[str, dict[str, Any]]]
    pointers: list[str] = field(default_factory=list)

    @classmethod
    def local(
        cls, name: str, path: Path, data: dict[str, Any], lines: Mapping[str, int], refs: list[tuple[str, dict[str, Any]]]
    ) -> Document:
        """A document read from a file."""
        location = Path(os.path.abspath(path))
        return cls(name, os.path.realpath(location), location, data, lines, refs)

    def index(self) -> None:
        """Sort the $ref holders by pointer so a subtree's holders are one slice."""
        self.refs.sort(key=lambda item: item[0])
        self.pointers = [pointer for pointer, _ in self.refs]

    def holders(self, pointer: str) -> list[tuple[str, dict[str, Any]]]:
        """The $ref holders at or under `pointer`."""
        lo, hi = bisect_left(self.pointers, pointer), bisect_left(self.pointers, pointer + "0")  # "/" < "0"
        return [item for item in self.refs[lo:hi] if item[0] == pointer or item[0].startswith(pointer + "/")]


@dataclass
class Bundle:
    """What bundling produced besides the rewritten document: identity, origins of copies, notices."""

    sha256: str
    origins: Origins
    notes: list[Diagnostic]
    sources: tuple[str, ...]


def read_bounded(path: Path, limit: int) -> bytes:
    """A file's bytes, reading at most one byte past `limit` (the parser then refuses it)."""
    with open(path, "rb") as stream:
        return stream.read(limit + 1)


def fetch_bounded(url: str, limit: int) -> bytes:
    """A URL's body over http(s), with a timeout, reading at most one byte past `limit`."""
    import urllib.request  # only for specs with remote refs: most runs need no HTTP client loaded

    request = urllib.request.Request(url, headers={"Accept": "application/yaml, application/json, */*;q=0.5"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 (scheme checked)
        body: bytes = response.read(limit + 1)
    return body


def resolve_pointer(doc: Any, ref: str) -> Any:
    """Resolve a local `#/a/b` reference; raise KeyError when it points nowhere."""
    node = doc
    for raw in ref[2:].split("/") if ref != "#" else []:
        token = unescape_token(raw)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(ref)
    return node


def deref(doc: Any, node: Any) -> Any:
    """Follow local references (validated earlier) to the object they name; bounded, so a cycle stops."""
    for _ in range(64):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        node = resolve_pointer(doc, node["$ref"])
    return node


def unescape_token(token: str) -> str:
    """Decode one reference token of a URI fragment (percent-encoding, then RFC 6901 escapes)."""
    return (unquote(token) if "%" in token else token).replace("~1", "/").replace("~0", "~")


def bundle(
    main: Document,
    raw: bytes,
    parse: Parse,
    *,
    max_bytes: int,
    max_nodes: int,
    allow_external_refs: bool,
    allow_remote_refs: bool,
) -> Bundle:
    """Bundle every external reference of `main` in place; raise SpecError listing every problem."""
    bundler = _Bundler(main, raw, parse, max_bytes, max_nodes, allow_external_refs, allow_remote_refs)
    bundler.run()
    items = [item for collector in bundler.diags.values() for item in collector.items] + bundler.problems
    if any(item.level is Level.ERROR for item in items):
        raise SpecError(items)
    digest = hashlib.sha256(raw)
    for name, data in sorted(bundler.files.items()):
        digest.update(b"\0" + name.encode() + b"\0" + data)
    return Bundle(digest.hexdigest(), bundler.origins, items, tuple(sorted(bundler.files)))


def is_reference(pointer: str) -> bool:
    """Whether the "$ref" member of the object at `pointer` is a reference, not data or a property's name."""
    name_next, previous = False, ""
    for token in pointer.split("/")[1:]:
        if name_next:
            if previous == "examples" and token.isdigit():
                return False  # a 3.1 schema's `examples` list holds literal values
            name_next = False
            continue
        if token in _DATA_KEYWORDS or token.startswith("x-"):
            return False
        name_next, previous = token in _NAME_MAPS, token
    return not name_next


def _slot(pointer: str) -> tuple[str, str] | None:
    """(section, name) when `pointer` is a components entry such as /components/schemas/Pet."""
    tokens = pointer.split("/")
    return (tokens[2], unescape_token(tokens[3])) if len(tokens) == 4 and tokens[1] == "components" else None


def _context(pointer: str) -> str | None:
    """The components section for what a $ref holder at `pointer` stands for; None for a path item (inlined)."""
    tokens = pointer.split("/")
    last = tokens[-1]
    parent = tokens[-2] if len(tokens) > 1 else ""
    if last == "schema" or last in SUBSCHEMA_KEYWORDS or parent in SUBSCHEMA_LISTS or parent in SUBSCHEMA_MAPS:
        return "schemas"
    if last == "requestBody":
        return "requestBodies"
    if parent in _PATH_ITEM_PARENTS or (len(tokens) > 2 and tokens[-3] == "callbacks"):
        return None
    return parent if parent in _SECTIONS else "schemas"


def _component_name(fragment: str, file: str) -> str:
    """A components name for a target: its last pointer token, else the file's stem."""
    last = unescape_token(fragment.rsplit("/", 1)[-1]) if fragment else ""
    if not last or last.isdigit():
        last = PurePosixPath(urlsplit(file).path if "://" in file else file).stem
    return _NAME_CHARS.sub("_", last).strip("_") or "Bundled"


def _external(value: Any) -> bool:
    """Whether a $ref value leaves its document."""
    return isinstance(value, str) and not value.startswith("#")


def _within(path: str, root: str) -> bool:
    """Whether `path` is `root` or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _Bundler:
    """Walks the references, loading each file once and giving each target one place in the main document."""

    def __init__(
        self, main: Document, raw: bytes, parse: Parse, max_bytes: int, max_nodes: int, external: bool, remote: bool
    ) -> None:
        self.main, self.parse = main, parse
        self.max_bytes, self.max_nodes = max_bytes, max_nodes
        self.allow_external, self.allow_remote = external, remote
        self.root = os.path.dirname(main.location)
        self.real_root = os.path.realpath(self.root)
        self.docs: dict[str, Document | None] = {main.key: main}
        self.files: dict[str, bytes] = {}
        self.used_bytes, self.used_nodes = len(raw), len(main.lines)
        self.bundled: dict[tuple[str, str], str] = {}
        self.claims: dict[str, tuple[Document, str]] = {}
        self.done: set[tuple[str, str]] = set()
        self.inlining: list[tuple[str, str]] = []
        self.origins = Origins({main.name: main.lines})
        self.diags: dict[str, Collector] = {}
        self.problems: list[Diagnostic] = []

    def run(self) -> None:
        """Bundle the main document's external refs; components entries that are refs keep their names."""
        todo = [(p, owner) for p, owner in self.main.refs if _external(owner.get("$ref")) and is_reference(p)]
        slots = [(pointer, owner) for pointer, owner in todo if _slot(pointer)]
        for pointer, owner in slots:
            self.claim(pointer, owner)
        for pointer, owner in slots:
            self.fill(pointer, owner)
        for pointer, owner in todo:
            self.visit(self.main, pointer, owner)

    def claim(self, pointer: str, owner: dict[str, Any]) -> None:
        """Reserve a components entry's own name for the external target it refers to."""
        self.done.add((self.main.key, pointer))
        target = self.resolve(self.main, pointer, owner["$ref"])
        if target is not None:
            self.claims[pointer] = target
            if target[0] is not self.main:
                self.bundled.setdefault((target[0].key, target[1]), "#" + pointer)

    def fill(self, pointer: str, owner: dict[str, Any]) -> None:
        """Put a claimed target in its components entry (or make a second claim an alias of the first)."""
        if pointer not in self.claims:
            return
        doc, fragment = self.claims[pointer]
        local = "#" + fragment if doc is self.main else self.bundled[(doc.key, fragment)]
        if doc is self.main or local != "#" + pointer:
            owner["$ref"] = local
            return
        self.origins.graft(self.main.name, pointer, doc.name, fragment)
        self.walk(doc, fragment)
        section, name = _slot(pointer) or ("", "")
        self.main.data["components"][section][name] = self.merged(owner, doc, fragment)

    def visit(self, doc: Document, pointer: str, owner: dict[str, Any]) -> None:
        """Rewrite one reference to a local one, bundling its target first."""
        if (doc.key, pointer) in self.done:
            return
        self.done.add((doc.key, pointer))
        value = owner.get("$ref")
        if not isinstance(value, str) or (doc is self.main and value.startswith("#")):
            return
        target = self.resolve(doc, pointer, value)
        if target is None:
            return
        tdoc, fragment = target
        known = self.bundled.get((tdoc.key, fragment))
        if tdoc is self.main or known:
            owner["$ref"] = known or "#" + fragment
        elif _context(pointer) is None:
            self.inline(doc, pointer, owner, tdoc, fragment)
        else:
            self.component(doc, pointer, owner, tdoc, fragment)

    def walk(self, doc: Document, fragment: str) -> None:
        """Visit every reference inside a target that is being bundled."""
        for pointer, owner in doc.holders(fragment):
            if is_reference(pointer):
                self.visit(doc, pointer, owner)

    def component(self, doc: Document, pointer: str, owner: dict[str, Any], tdoc: Document, fragment: str) -> None:
        """Copy a target into its components section under a free name, and point the reference there."""
        parts = fragment.split("/")
        section = parts[2] if len(parts) == 4 and parts[1] == "components" else _context(pointer) or "schemas"
        table = self.table(section)
        if table is None:
            self.report(
                doc, pointer, Level.ERROR, f"cannot bundle {owner['$ref']!r}: /components/{section} is not a mapping"
            )
            return
        wanted = _component_name(fragment, tdoc.name)
        name, n = wanted, 1
        while name in table:
            n += 1
            name = f"{wanted}_{n}"
        if name != wanted:
            what = _SINGULAR.get(section, section[:-1])
            source = f"{tdoc.name}#{fragment}" if fragment else tdoc.name
            self.report(
                doc, pointer, Level.INFO, f"{what} {source!r} is bundled as {name!r}: {wanted!r} is already taken"
            )
        local = join_pointer("/components", section, name)
        self.bundled[(tdoc.key, fragment)] = owner["$ref"] = "#" + local
        table[name] = resolve_pointer(tdoc.data, "#" + fragment)  # a placeholder while its refs are walked
        self.origins.graft(self.main.name, local, tdoc.name, fragment)
        self.walk(tdoc, fragment)
        table[name] = resolve_pointer(tdoc.data, "#" + fragment)

    def inline(self, doc: Document, pointer: str, owner: dict[str, Any], tdoc: Document, fragment: str) -> None:
        """Replace a path item reference by the path item itself (there is no components section for it in 3.0)."""
        key = (tdoc.key, fragment)
        if key in self.inlining or len(self.inlining) >= MAX_INLINE_DEPTH:
            self.report(
                doc,
                pointer,
                Level.ERROR,
                f"$ref {owner['$ref']!r} makes path items include themselves: a cycle that never resolves",
            )
            return
        self.inlining.append(key)
        self.walk(tdoc, fragment)
        self.inlining.pop()
        parent_pointer, _, token = pointer.rpartition("/")
        parent = resolve_pointer(doc.data, "#" + parent_pointer)
        parent[int(token) if isinstance(parent, list) else unescape_token(token)] = self.merged(owner, tdoc, fragment)
        self.origins.graft(doc.name, pointer, tdoc.name, fragment)

    def merged(self, owner: dict[str, Any], doc: Document, fragment: str) -> Any:
        """The target, with the reference's sibling members (3.1 summary/description) laid over it."""
        node = resolve_pointer(doc.data, "#" + fragment)
        siblings = {k: v for k, v in owner.items() if k != "$ref"}
        return {**node, **siblings} if siblings and isinstance(node, dict) else node

    def table(self, section: str) -> dict[str, Any] | None:
        """The main document's components section, created when missing."""
        components = self.main.data.setdefault("components", {})
        table = components.setdefault(section, {}) if isinstance(components, dict) else None
        return table if isinstance(table, dict) else None

    def resolve(self, doc: Document, pointer: str, value: str) -> tuple[Document, str] | None:
        """The document and pointer a reference names, reporting why when there is none."""
        address, _, fragment = value.partition("#")
        if fragment and not fragment.startswith("/"):
            self.report(doc, pointer, Level.ERROR, f"$ref {value!r}: the fragment must be a JSON pointer (#/...)")
            return None
        target = self.open(doc, pointer, value, address) if address else doc
        if target is None:
            return None
        try:
            resolve_pointer(target.data, "#" + fragment)
        except KeyError:
            where = f"#{fragment} does not exist" + ("" if target is doc else f" in {target.name}")
            self.report(doc, pointer, Level.ERROR, f"$ref {value!r} points to nothing ({where})")
            return None
        return target, fragment

    def open(self, doc: Document, pointer: str, value: str, address: str) -> Document | None:
        """The document at `address` relative to `doc`, loaded once; None (reported) when refused or unreadable."""
        remote = not isinstance(doc.location, Path)
        url = urldefrag(urljoin(str(doc.location), address))[0] if remote else address
        if remote or _SCHEME.match(address):
            if not url.lower().startswith(("http://", "https://")):
                self.report(
                    doc,
                    pointer,
                    Level.ERROR,
                    f"$ref {value!r} uses an unsupported scheme: only relative file paths and http(s) URLs are followed",
                )
                return None
            if not self.allow_remote:
                self.report(doc, pointer, Level.ERROR, f"$ref {value!r} points to a URL", REMOTE_HINT)
                return None
            return self.docs[url] if url in self.docs else self.fetch(doc, pointer, value, url)
        assert isinstance(doc.location, Path)
        lexical = os.path.normpath(os.path.join(doc.location.parent, unquote(address)))
        real = os.path.realpath(lexical)
        if not self.allow_external:
            if not _within(lexical, self.root):
                self.report(
                    doc, pointer, Level.ERROR, f"$ref {value!r} points outside the spec's directory", EXTERNAL_HINT
                )
                return None
            if not _within(real, self.real_root):
                self.report(
                    doc,
                    pointer,
                    Level.ERROR,
                    f"$ref {value!r} points outside the spec's directory (through a symlink)",
                    EXTERNAL_HINT,
                )
                return None
        if real in self.docs:
            return self.docs[real]
        name = PurePosixPath(Path(os.path.relpath(lexical, self.root))).as_posix()
        try:
            data = read_bounded(Path(lexical), self.max_bytes)
        except FileNotFoundError:
            self.report(doc, pointer, Level.ERROR, f"$ref {value!r} points to a file that does not exist: {name}")
            return None
        except IsADirectoryError:
            self.report(doc, pointer, Level.ERROR, f"$ref {value!r} points to a directory, not a file: {name}")
            return None
        except OSError as exc:
            self.report(doc, pointer, Level.ERROR, f"$ref {value!r}: cannot read {name}: {exc.strerror or exc}")
            return None
        return self.load(doc, pointer, value, Document(name, real, Path(lexical), {}, {}, []), data)

    def fetch(self, doc: Document, pointer: str, value: str, url: str) -> Document | None:
        """A remote document, fetched once."""
        import http.client
        import urllib.error

        try:
            data = fetch_bounded(url, self.max_bytes)
        except urllib.error.HTTPError as exc:
            reason = f"HTTP {exc.code} {exc.reason}"
        except (OSError, ValueError, http.client.HTTPException) as exc:
            reason = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
        else:
            return self.load(doc, pointer, value, Document(url, url, url, {}, {}, []), data)
        self.docs[url] = None
        self.report(doc, pointer, Level.ERROR, f"$ref {value!r}: cannot fetch {url}: {reason}")
        return None

    def load(self, doc: Document, pointer: str, value: str, new: Document, data: bytes) -> Document | None:
        """Parse a newly read file within the spec's bounds; None (reported) when it is refused or broken."""
        self.docs[new.key] = None
        self.used_bytes += len(data)
        if len(self.docs) > MAX_FILES or self.used_bytes > self.max_bytes:
            bound = (
                f"it has more than {MAX_FILES} files"
                if len(self.docs) > MAX_FILES
                else f"its files hold over {self.max_bytes} bytes in all"
            )
            self.report(doc, pointer, Level.ERROR, f"$ref {value!r}: the spec is too large: {bound}")
            return None
        try:
            new.data, new.lines, new.refs = self.parse(new.name, data)
        except SpecError as exc:
            self.problems.extend(exc.diagnostics)
            return None
        self.used_nodes += len(new.lines)
        if self.used_nodes > self.max_nodes:
            self.report(
                doc,
                pointer,
                Level.ERROR,
                f"$ref {value!r}: the spec is too large: its files hold over {self.max_nodes} nodes in all",
            )
            return None
        new.index()
        self.docs[new.key] = new
        self.files[new.name] = data
        self.origins.lines[new.name] = new.lines
        return new

    def report(self, doc: Document, pointer: str, level: Level, message: str, hint: str | None = None) -> None:
        """Record a diagnostic at a reference (its `$ref` member) in `doc`."""
        collector = self.diags.get(doc.name) or self.diags.setdefault(doc.name, Collector(doc.name, doc.lines))
        collector.add(level, join_pointer(pointer, "$ref"), message, hint)
