"""Models through datamodel-code-generator's public API, with class names checked against ours, cached."""

from __future__ import annotations

import ast
import contextlib
import json
import keyword
import multiprocessing
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import astuple, dataclass
from functools import partial
from typing import Any

from .. import cache
from ..diagnostics import Collector, Diagnostic, Level, SpecError, escape_pointer_token, one_line
from ..ir import tree as ir
from ..ir.names import Namespace, snake
from ..spec.prose import ProseLost
from ..spec.refs import SUBSCHEMA_KEYWORDS, SUBSCHEMA_LISTS, SUBSCHEMA_MAPS
from .formatting import format_uncached
from .model_modules import ModelModules, parse_module, split_models, strongly_connected
from .model_prose import Reworded, restored, reworded

# Options that shape the generated models; changing any of them changes the golden files.
MODEL_OPTIONS: dict[str, Any] = {
    "snake_case_field": True,
    "disable_timestamp": True,
    "use_schema_description": True,
    "use_field_description": True,
    "use_annotated": True,
    "use_standard_collections": True,
    "use_union_operator": True,
    "target_python_version": "3.10",
    "formatters": [],
    "keep_model_order": False,  # dependency order: enum defaults and base classes come first
    "set_default_enum_member": True,
    "strict_nullable": True,  # a required `nullable` field may hold None; only `nullable` ones may (not every optional)
    # `email` would need the email-validator package at run time: keep such strings plain.
    # `password` would become SecretStr, which serialises as "**********": requests must send the value.
    # `ulid` would import the third-party `ulid` package, which the SDK does not depend on.
    "type_mappings": ["string+email=iri", "string+idn-email=iri", "string+password=iri", "string+ulid=iri"],
}


OUTPUT_TYPES = {
    "pydantic": ("pydantic_v2.BaseModel", {"extra_fields": "allow", "allow_population_by_field_name": True}),
    "dataclasses": ("dataclasses.dataclass", {}),
    "typeddict": (
        "typing.TypedDict",
        {"snake_case_field": False, "target_python_version": "3.11", "use_closed_typed_dict": False},
    ),
}


# Models each datamodel-code-generator run owns. The models are cut into shards, each run and cached on its own:
# the shards spread over the cores, and an edit to one model runs only the shards whose documents hold it.
SHARD_MODELS = 64
# A shard's document holds the models it owns and every model they reach through `$ref`; where that would more
# than double the parsing (a model that reaches nearly everything), fewer, larger shards are cut.
MAX_REACHED = 2.0
REF = re.compile(r'"#/components/schemas/([^"]+)"')  # a `$ref` or a discriminator mapping's value
SKELETON_KIND = "models-skeleton"  # the cache's kind of a shard's unformatted modules made from its skeleton


@dataclass(frozen=True)
class Shard:
    """One datamodel-code-generator run: a kind of models for the models a shard owns and those they reach."""

    kind: str
    header: str
    owned: tuple[str, ...]  # class names whose modules this shard yields
    models: tuple[ir.Model, ...]  # the owned models and every model they reach, in spec order
    stems: dict[str, str]  # class name → its module's stem, decided over all shards
    document: str

    def cache_parts(self, document: str | None = None) -> tuple[str, ...]:
        """Everything the result for `document` (the shard's own by default) depends on besides the generator's
        code."""
        aliases = _aliases(self.models, wire_keys=self.kind == "typeddict")
        parts = (json.dumps(self.owned), json.dumps(aliases, sort_keys=True), json.dumps(self.stems))
        return (self.kind, self.header, *parts, self.document if document is None else document)


class Workers:
    """The models pass's worker processes, started at once or at the first shard that misses the cache."""

    def __init__(self, kinds: Iterable[str]) -> None:
        self._kinds = tuple(dict.fromkeys(kinds))
        self._pool: ProcessPoolExecutor | None = None

    @property
    def running(self) -> bool:
        """Whether the pool was started."""
        return self._pool is not None

    def start(self, tasks: int | None = None) -> ProcessPoolExecutor:
        """The running pool: started now (one worker per core, or per task when fewer; warmed up) unless it already
        runs. A worker more than the tasks would only take CPU from the others while it warms up."""
        if self._pool is None:
            workers = min(os.cpu_count() or 1, tasks or sys.maxsize)
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm_up, initargs=(self._kinds,))
            for _ in range(workers):
                self._pool.submit(int)  # starts the workers now
        return self._pool

    def close(self) -> None:
        """Shut the pool down; workers still warming up (every shard was a cache hit) are not waited for."""
        if self._pool is None:
            return
        for process in list((getattr(self._pool, "_processes", None) or {}).values()):
            process.terminate()
        self._pool.shutdown(cancel_futures=True)


@contextlib.contextmanager
def worker_pool(kinds: Iterable[str], early: bool) -> Iterator[Workers | None]:
    """Workers for the models pass, shut down on leaving; None where the platform cannot fork or has one core.

    `early` (a first generation into this output) starts them at once, so they warm up (the library's first run in
    a process loads most of it) while the caller reads the spec. Otherwise they start only if a shard misses the
    cache: after an edit nearly every shard hits, and idle workers warming up would take CPU from the main process.
    """
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    workers = Workers(kinds)
    if early:
        workers.start()
    try:
        yield workers
    finally:
        workers.close()


def _warm_up(kinds: tuple[str, ...]) -> None:
    """Run the library once per kind on a one-model document, so the first shard does not pay for loading it.

    The worker yields to the main process, whose reading and rendering come first on a machine with few cores.
    """
    os.nice(5)
    document = '{"openapi": "3.0.3", "info": {"title": "w", "version": "0"}, "paths": {}, "components": {"schemas": {"W": {"type": "object", "properties": {"w": {"type": "string"}}}}}}'
    for kind in kinds:
        try:
            _generate((), Collector("warm-up"), "", kind, document)
        except Exception:  # noqa: BLE001 (a failing initializer would break the pool; the real run reports problems)
            pass


class ModelsPass:
    """The models package of each kind a run needs: cache hits at once, the rest in the worker pool.

    The workers (see `worker_pool`, which the caller holds open; without them the shards run here, one after
    another) run while the caller renders templates and docs; `get` waits for one kind and raises its SpecError.
    """

    def __init__(
        self,
        api: ir.Api,
        diag: Collector,
        header: str,
        kinds: Iterable[str],
        workers: Workers | None,
        by_skeleton: bool = False,
    ) -> None:
        """`by_skeleton`: a shard that misses the cache is looked for by its skeleton first, here (a regeneration:
        after an edit of wording, the library need not run)."""
        self._api, self._diag, self._header = api, diag, header
        parts = _shard_parts(api)
        self._shards = {kind: [Shard(kind, header, *part) for part in parts] for kind in kinds}
        self._ready: dict[tuple[str, int], ModelModules] = {}
        self._pending: dict[tuple[str, int], Future[ModelModules]] = {}
        keys = [(kind, index) for kind, shards in self._shards.items() for index in range(len(shards))]
        hits = cache.load_many("models", [self._shards[kind][index].cache_parts() for kind, index in keys])
        misses = []
        for key, hit in zip(keys, hits):
            shard = self._shards[key[0]][key[1]]
            found = None if hit is None else _loaded(hit)
            if found is None and by_skeleton:
                found = _from_skeleton(shard)
            if found is not None:
                self._ready[key] = found
            else:
                misses.append(key)
        if workers is not None and misses:  # without workers the misses are computed in `get`
            pool = workers.start(len(misses))
            self._pending = {key: pool.submit(_library_modules, self._shards[key[0]][key[1]]) for key in misses}

    def get(self, kind: str) -> ModelModules:
        """The models package of `kind` (datamodel-code-generator's output type), its shards joined."""
        sources: dict[str, str] = {}
        owners: dict[str, str] = {}
        clash = False
        shards = self._shards[kind]
        waiting = [index for index in range(len(shards)) if (kind, index) not in self._ready]
        made = []  # the waiting shards' modules as the library made them: formatted here, in one batch
        for index in waiting:
            pending = self._pending.pop((kind, index), None)
            made.append((shards[index], self._computed(pending.result if pending else partial(_library_modules, shards[index]))))
        self._ready.update({(kind, index): modules for index, modules in zip(waiting, _formatted_all(made))})
        for index, shard in enumerate(shards):
            part = self._ready[kind, index]
            self._locate(part.notes)
            made_up = part.owners.keys() - shard.stems.keys()
            clash |= bool(made_up & self._api.models_by_name.keys()) or any(
                sources.get(stem, text) != text for stem, text in part.sources.items()
            )
            sources.update(part.sources)
            owners.update(part.owners)
        if clash and len(self._shards[kind]) > 1:  # a type the library made up in one shard took a name of ours
            whole = Shard(kind, self._header, *_shard_parts(self._api, whole=True)[0])
            modules = self._computed(partial(_model_modules, whole))
            self._locate(modules.notes)
            return modules
        return ModelModules(sources, dict(sorted(owners.items())))

    def _computed(self, compute: Callable[[], ModelModules]) -> ModelModules:
        """A shard's result; the errors it raised are recorded at their place in the spec and raised again."""
        try:
            return compute()
        except SpecError as exc:
            self._locate(exc.diagnostics)
            self._diag.raise_if_errors()
            raise

    def _locate(self, items: Iterable[Diagnostic]) -> None:
        """Record diagnostics made in a shard's run at their place in the spec.

        A shard is run without the spec's line map (it would be copied to every worker), and its notes are cached
        without lines (an edit elsewhere in the spec moves them): each is located here, at each use.
        """
        for item in items:
            self._diag.add(item.level, item.pointer, item.message, item.hint)


def _shard_parts(
    api: ir.Api, whole: bool = False
) -> list[tuple[tuple[str, ...], tuple[ir.Model, ...], dict[str, str], str]]:
    """The models cut into shards (one when `whole`): strongly connected groups of the `$ref` graph, packed in
    spec order, about SHARD_MODELS owned models each; each with the models its own reach, their module stems
    and document."""
    models = api.models_by_name
    order = {name: index for index, name in enumerate(api.model_order)}
    refs = {name: {t for t in REF.findall(models[name].schema) if t in order} for name in order}
    _add_subclass_edges(models, refs)
    groups = _beside_what_they_reach(strongly_connected(order, refs), refs)
    for size in (len(order),) if whole else (SHARD_MODELS, SHARD_MODELS * 8, len(order)):
        shards = _pack(groups, size)
        reached = [_reach(shard, refs) for shard in shards]
        if sum(map(len, reached)) <= MAX_REACHED * len(order) or len(shards) == 1:
            break
    namespace = Namespace(style="snake")
    stems = {name: namespace.claim("_" + snake(name), name) for name in order}
    bases = {name: _ref_targets(models[name], "allOf", refs) for name in order if '"allOf"' in models[name].schema}
    parts = []
    for shard, reach in zip(shards, reached):
        names = sorted(reach, key=order.__getitem__)
        owned = tuple(sorted(shard, key=order.__getitem__))
        document = _models_document(api, names, _with_bases(set(owned), bases))
        parts.append((owned, tuple(models[n] for n in names), {n: stems[n] for n in names}, document))
    return parts


def _with_bases(owned: set[str], bases: dict[str, set[str]]) -> set[str]:
    """The owned models and every model they extend through `allOf`, at any depth: a model whose library class
    repeats its bases' fields (a TypedDict that makes a base's field required, say) repeats their descriptions too."""
    found = set(owned)
    work = list(owned)
    while work:
        for base in bases.get(work.pop(), set()) - found:
            found.add(base)
            work.append(base)
    return found


def _add_subclass_edges(models: dict[str, ir.Model], refs: dict[str, set[str]]) -> None:
    """Tie each discriminated union to its members and uses in the `$ref` graph, so one document holds them all.

    The library makes the models that extend a model with a discriminator (through `allOf`, at any depth)
    members of its union, and narrows each member's discriminator field where the union is used, or where a
    `oneOf` with a discriminator lists it: a member generated without them would differ.
    """
    discriminated = {name for name in refs if '"discriminator"' in models[name].schema}
    if not discriminated:
        return
    parents = {name: _ref_targets(models[name], "allOf", refs) for name in refs if '"allOf"' in models[name].schema}
    grown = True
    while grown:
        extended = {child for child, ups in parents.items() if ups & discriminated}
        grown = not extended <= discriminated
        discriminated |= extended
    for child, ups in parents.items():
        for parent in ups & discriminated:
            refs[parent].add(child)
    for name, bases in [(name, targets & discriminated) for name, targets in refs.items()]:
        for base in bases:
            refs[base].add(name)
    for name in discriminated:
        for option in _ref_targets(models[name], "oneOf", refs) | _ref_targets(models[name], "anyOf", refs):
            refs[option].add(name)


def _ref_targets(model: ir.Model, key: str, refs: dict[str, set[str]]) -> set[str]:
    """The models that the `key` list (`allOf`, `oneOf`, `anyOf`) of a model's schema names by `$ref`."""
    if f'"{key}"' not in model.schema:
        return set()
    members = json.loads(model.schema).get(key)
    refs_named = [m.get("$ref") for m in members if isinstance(m, dict)] if isinstance(members, list) else []
    prefix = "#/components/schemas/"
    return {ref[len(prefix) :] for ref in refs_named if isinstance(ref, str) and ref.startswith(prefix)} & refs.keys()


def _beside_what_they_reach(groups: list[list[str]], refs: dict[str, set[str]]) -> list[list[str]]:
    """The groups in spec order, each followed by the groups it reaches that have no place yet (depth first):
    packed in this order, a shard mostly owns what its models reach instead of parsing another shard's."""
    group_of = {name: index for index, group in enumerate(groups) for name in group}
    placed: list[list[str]] = []
    seen: set[int] = set()
    for start in range(len(groups)):
        work = [start]
        while work:
            index = work.pop()
            if index in seen:
                continue
            seen.add(index)
            placed.append(groups[index])
            targets = sorted({group_of[t] for name in groups[index] for t in refs[name]} - seen)
            work.extend(reversed(targets))  # the first target is visited next
    return placed


def _pack(groups: list[list[str]], size: int) -> list[list[str]]:
    """Groups packed in order into shards of about `size` names (a group is never split)."""
    shards: list[list[str]] = [[]]
    for group in groups:
        if shards[-1] and len(shards[-1]) + len(group) > size:
            shards.append([])
        shards[-1].extend(group)
    return shards


def _reach(names: list[str], refs: dict[str, set[str]]) -> set[str]:
    """`names` and every name they reach through `refs`."""
    seen = set(names)
    work = list(names)
    while work:
        for target in refs[work.pop()] - seen:
            seen.add(target)
            work.append(target)
    return seen


def _model_modules(shard: Shard) -> ModelModules:
    """The modules of the models one shard owns, formatted, and the notes made on them (not located in the spec),
    computed and cached."""
    return _formatted_all([(shard, _library_modules(shard))])[0]


def _library_modules(shard: Shard) -> ModelModules:
    """The shard's modules as the library makes them (not formatted), and its notes. The library runs on the shard's
    skeleton where it has one (its result, cached by the skeleton, serves every wording), else, or where the words
    cannot be put back, on its document."""
    skeleton = reworded(shard.document)
    if skeleton is not None:
        found = _skeleton_hit(shard, skeleton)
        if found is not None:
            return found
        try:  # where the library fails on the skeleton, or the words cannot go back, the document decides
            unformatted = _unformatted_modules(shard, skeleton.document)
            modules = restored(unformatted, skeleton.runs)
        except (SpecError, ProseLost):
            pass
        else:
            cache.store(SKELETON_KIND, shard.cache_parts(skeleton.document), _dumped(unformatted))
            return modules
    return _unformatted_modules(shard, shard.document)


def _from_skeleton(shard: Shard) -> ModelModules | None:
    """The shard's modules from the cached result of its skeleton, formatted and cached; None without one."""
    skeleton = reworded(shard.document)
    found = None if skeleton is None else _skeleton_hit(shard, skeleton)
    return None if found is None else _formatted_all([(shard, found)])[0]


def _skeleton_hit(shard: Shard, skeleton: Reworded) -> ModelModules | None:
    """The cached result of the shard's skeleton with its words put back (not formatted); None without one."""
    hit = cache.load(SKELETON_KIND, *shard.cache_parts(skeleton.document))
    modules = None if hit is None else _loaded(hit)
    if modules is None:
        return None
    try:
        return restored(modules, skeleton.runs)
    except ProseLost:
        return None


def _unformatted_modules(shard: Shard, document: str) -> ModelModules:
    """The library's modules (not formatted) of the models the shard owns, made from `document`, and its notes."""
    diag = Collector("models")
    source = render_models(shard.models, diag, shard.header, shard.kind, document)
    split = split_models(source, shard.header, shard.stems)
    mine = {shard.stems[name] for name in shard.owned}
    mine |= {stem for name, stem in split.owners.items() if name not in shard.stems}  # the library's own additions
    owners = {name: stem for name, stem in split.owners.items() if stem in mine}
    return ModelModules({stem: text for stem, text in split.sources.items() if stem in mine}, owners, tuple(diag.items))


def _formatted_all(results: list[tuple[Shard, ModelModules]]) -> list[ModelModules]:
    """Each shard's modules formatted, all in one batch of the formatter, each cached as its shard's result."""
    # Not cached module by module: a shard's result is cached whole.
    sources = {f"{i}/{stem}.py": text for i, (_, modules) in enumerate(results) for stem, text in modules.sources.items()}
    formatted = format_uncached(sources) if sources else {}
    done = [
        ModelModules({stem: formatted[f"{i}/{stem}.py"] for stem in modules.sources}, modules.owners, modules.notes)
        for i, (_, modules) in enumerate(results)
    ]
    cache.store_many("models", [(shard.cache_parts(), _dumped(modules)) for (shard, _), modules in zip(results, done)])
    return done


def _dumped(modules: ModelModules) -> str:
    """A shard's modules as the cache holds them."""
    return json.dumps({"sources": modules.sources, "owners": modules.owners, "notes": [astuple(note) for note in modules.notes]})


def _loaded(text: str) -> ModelModules | None:
    """A shard's modules as `_dumped` wrote them; None for a damaged entry, which is then a miss."""
    try:
        data = json.loads(text)
        notes = tuple(Diagnostic(Level(level), *rest) for level, *rest in data["notes"])
        return ModelModules(dict(data["sources"]), dict(data["owners"]), notes)
    except (ValueError, KeyError, TypeError):
        return None


def render_models(models: Sequence[ir.Model], diag: Collector, header: str, kind: str, document: str) -> str:
    """Python source of one models module (pydantic, dataclasses or TypedDict) for `models`, whose schemas
    `document` holds."""
    if not models:
        return f'"""{header}"""\n'
    source = _generate(models, diag, header, kind, document)
    tree = parse_module(source)
    problems = _name_problems(tree, models, kind)
    if problems:  # the library may give a name of ours to a type it makes up first (an array's item type, named
        # from the property) and rename our class; it keeps the name for a schema it meets first, so try that
        first = {model.class_name for model, _, _ in problems}
        data = json.loads(document)
        schemas = data["components"]["schemas"]
        data["components"]["schemas"] = {name: schemas[name] for name in sorted(schemas, key=lambda n: n not in first)}
        source = _generate(models, diag, header, kind, json.dumps(data, ensure_ascii=False))
        tree = parse_module(source)
        problems = _name_problems(tree, models, kind)
    for _, pointer, message in problems:
        diag.error(pointer, message)
    diag.raise_if_errors()
    if kind == "pydantic":
        return _unprotected(_open_enums(source, tree))
    return _track_fields(source, tree) if kind == "dataclasses" else source


def _generate(models: Sequence[ir.Model], diag: Collector, header: str, kind: str, document: str) -> str:
    """datamodel-code-generator's models module for `document`; its failure is reported as a spec problem."""
    from datamodel_code_generator import DataModelType, InputFileType, generate

    output_type, extra = OUTPUT_TYPES[kind]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            source = generate(
                document,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType(output_type),
                custom_file_header=f'"""{header}"""',
                **{**MODEL_OPTIONS, **extra, "aliases": _aliases(models, wire_keys=kind == "typeddict")},
            )
    except Exception as exc:  # the library's own errors are spec problems from the user's view
        diag.error("/components/schemas", f"datamodel-code-generator failed: {type(exc).__name__}: {exc}")
        raise SpecError(diag.items) from None
    by_class = {model.class_name: model.origin for model in models}
    for warning in caught:  # what the library leaves out of a model (a constraint pydantic cannot hold, say)
        if warning.category is UserWarning:
            named = re.findall(r"\b([A-Z]\w*)\.\w+", str(warning.message))
            pointer = next((by_class[n] for n in named if n in by_class), "/components/schemas")
            diag.info(pointer, f"{kind} models: {one_line(str(warning.message))}")
    assert isinstance(source, str)
    return _functional_typeddicts(source, models) if kind == "typeddict" else source


OPEN_ENUM = '''
    @classmethod
    def _missing_(cls, value: {object}) -> {name} | None:
        """Accept a value the spec does not list yet: newer services may send it."""
        if not isinstance(value, {value_type}):
            return None
        member = {new}
        object.__setattr__(member, "_name_", "UNKNOWN")
        object.__setattr__(member, "_value_", value)
        return member
'''
# Enum base → (accepted value type, how to make a pseudo-member).
ENUM_BASES = {
    "Enum": ("(str, int, float)", "object.__new__(cls)"),
    "IntEnum": ("int", "int.__new__(cls, value)"),
    "StrEnum": ("str", "str.__new__(cls, value)"),
}


def _open_enums(source: str, tree: ast.Module) -> str:
    """Give every Enum of `source` (parsed as `tree`) a `_missing_` hook so responses with new values still validate."""
    lines = source.splitlines(keepends=True)
    enums = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in ENUM_BASES for b in node.bases)
    ]
    shadowing = {node.name for node in enums if "object" in _member_names(node)}
    for node in sorted(enums, key=lambda n: -(n.end_lineno or 0)):
        base = next(b.id for b in node.bases if isinstance(b, ast.Name) and b.id in ENUM_BASES)
        value_type, new = ENUM_BASES[base]
        builtin = "builtins.object" if node.name in shadowing else "object"
        hook = OPEN_ENUM.format(name=node.name, value_type=value_type, new=new, object=builtin)
        lines.insert(node.end_lineno or len(lines), hook)
    if shadowing:  # a member named `object` hides the builtin in the hook's annotation (mypy reads it in the class)
        imports = (n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))
        first = next(n for n in imports if getattr(n, "module", None) != "__future__")
        lines.insert(first.lineno - 1, "import builtins\n")
    return "".join(lines)


def _member_names(node: ast.ClassDef) -> set[str]:
    """Names assigned in a class body (an enum's members)."""
    return {t.id for stmt in node.body if isinstance(stmt, ast.Assign) for t in stmt.targets if isinstance(t, ast.Name)}


MODEL_FIELD = re.compile(r"^ +model_\w*:", re.MULTILINE)  # a field in pydantic's protected namespace, as the library writes it


def _unprotected(source: str) -> str:
    """Turn off pydantic's protected namespaces in every model with a field named `model_…` (a spec's `model_id`):
    pydantic would warn about it at import, and shadowing is ruled out already by the name authority."""
    if not MODEL_FIELD.search(source):  # most modules have none: no need to parse them
        return source
    tree = parse_module(source)
    lines = source.splitlines(keepends=True)
    for node in sorted(tree.body, key=lambda n: -n.lineno):
        if not isinstance(node, ast.ClassDef) or not any(
            isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.target.id.startswith("model_")
            for s in node.body
        ):
            continue
        config = next(
            s.value
            for s in node.body
            if isinstance(s, ast.Assign) and [ast.unparse(t) for t in s.targets] == ["model_config"]
            and isinstance(s.value, ast.Call)
        )
        config.keywords.append(ast.keyword("protected_namespaces", ast.Tuple([], ast.Load())))
        start, end = config.lineno - 1, (config.end_lineno or config.lineno) - 1
        # the trailing comma keeps the formatter's one-option-per-line layout of the other models
        text = lines[start][: config.col_offset] + ast.unparse(config)[:-1] + ",)" + lines[end][config.end_col_offset :]
        lines[start : end + 1] = [text]
    return "".join(lines)


def _functional_typeddicts(source: str, models: Sequence[ir.Model]) -> str:
    """Rewrite as `Name = TypedDict("Name", {...})` each TypedDict with a `__`-prefixed key: the library renames
    such a key (`field__type`), and in a class body Python would mangle it; the functional form keeps it."""
    mangled = {
        m.class_name: {f.wire_name for f in m.fields} for m in models if any(f.wire_name.startswith("__") for f in m.fields)
    }
    if not mangled:
        return source
    lines = source.splitlines(keepends=True)
    tree = parse_module(source)
    for node in sorted(tree.body, key=lambda n: -n.lineno):
        keys = mangled.get(getattr(node, "name", ""))
        if not isinstance(node, ast.ClassDef) or keys is None or [ast.unparse(b) for b in node.bases] != ["TypedDict"]:
            continue
        fields = [stmt for stmt in node.body if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)]
        wire = [_wire_key(stmt.target.id, keys) for stmt in fields if isinstance(stmt.target, ast.Name)]
        if None in wire:
            continue  # left to the name check, which reports it
        items = ", ".join(f"{json.dumps(key)}: {ast.unparse(stmt.annotation)}" for key, stmt in zip(wire, fields))
        options = "".join(f", {ast.unparse(k)}" for k in node.keywords)
        text = f"{node.name} = TypedDict({json.dumps(node.name)}, {{{items}}}{options})\n"
        lines[node.lineno - 1 : node.end_lineno] = [text]
    return "".join(lines)


def _wire_key(name: str, keys: set[str]) -> str | None:
    """The wire key a TypedDict field stands for: itself, or a key the library prefixed with `field`."""
    return name if name in keys else name[len("field") :] if name.startswith("field") and name[len("field") :] in keys else None


TRACK_FIELDS = "from .._runtime.wire import track_fields\n"


def _track_fields(source: str, tree: ast.Module) -> str:
    """Decorate every dataclass of `source` (parsed as `tree`) with the runtime's `track_fields`: an explicit None is
    then sent as null."""
    lines = source.splitlines(keepends=True)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.decorator_list]
    for node in sorted(classes, key=lambda n: -n.lineno):
        lines.insert(min(d.lineno for d in node.decorator_list) - 1, "@track_fields\n")
    if classes:
        body = next(n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom, ast.Expr)))
        lines.insert(min([body.lineno, *(d.lineno for d in getattr(body, "decorator_list", []))]) - 1, TRACK_FIELDS)
    return "".join(lines)


def _aliases(models: Sequence[ir.Model], wire_keys: bool) -> dict[str, str]:
    """Field names forced onto datamodel-code-generator (`Class.wire` → name): the name authority's, or for
    TypedDicts the wire key itself wherever it is an identifier (the library would turn `_links` into
    `field_links`, a key the service never sends). A model with a key that is no identifier gets none: the library
    then writes it in the functional syntax with every key as it is (given some, it would name the others itself,
    `prefs/background` as `prefs_background`, and could collide with a forced one)."""
    if wire_keys:
        return {
            f"{m.class_name}.{f.wire_name}": f.wire_name
            for m in models
            if all(f.wire_name.isidentifier() for f in m.fields)
            for f in m.fields
            if not keyword.iskeyword(f.wire_name) and not f.wire_name.startswith("__")
        }
    return {f"{m.class_name}.{f.wire_name}": f.python_name for m in models for f in m.fields}


def _models_document(api: ir.Api, names: Iterable[str], described: set[str]) -> str:
    """A minimal OpenAPI document (JSON text) holding the schemas of the models `names` under their class names.

    A model outside `described` (a shard's reach but its models' bases) is there for its shape only: its
    descriptions are left out, so that a shard is not computed again when the documentation of a model it merely
    uses changes.
    """
    models = api.models_by_name

    def schema(name: str) -> str:
        if name in described:
            return models[name].schema
        return json.dumps(_without_descriptions(json.loads(models[name].schema)), ensure_ascii=False)

    schemas = ", ".join(f"{json.dumps(name)}: {schema(name)}" for name in names)
    info = '"info": {"title": "models", "version": "0"}, "paths": {}'
    return f'{{"openapi": {json.dumps(api.openapi_version)}, {info}, "components": {{"schemas": {{{schemas}}}}}}}'


def _without_descriptions(schema: Any) -> Any:
    """A schema without the `description` of it or of any of its subschemas (property names stay)."""
    if not isinstance(schema, dict):
        return schema
    result = {key: value for key, value in schema.items() if key != "description"}
    for key, value in result.items():
        if key in SUBSCHEMA_KEYWORDS and isinstance(value, dict):
            result[key] = _without_descriptions(value)
        elif key in SUBSCHEMA_LISTS and isinstance(value, list):
            result[key] = [_without_descriptions(item) for item in value]
        elif key in SUBSCHEMA_MAPS and isinstance(value, dict):
            result[key] = {name: _without_descriptions(item) for name, item in value.items()}
    return result


def _declared_fields(tree: ast.Module) -> dict[str, set[str]]:
    """Fields each class of the module declares itself: annotated names, or a functional TypedDict's keys."""
    own: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            own[node.name] = {
                stmt.target.id for stmt in node.body if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
            }
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "TypedDict"
            and len(node.value.args) == 2
            and isinstance(node.value.args[1], ast.Dict)
        ):
            keys = node.value.args[1].keys
            own[node.targets[0].id] = {k.value for k in keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return own


def _name_problems(tree: ast.Module, models: Sequence[ir.Model], kind: str) -> list[tuple[ir.Model, str, str]]:
    """(model, pointer, message) for each model class or object field we named that the output (parsed as `tree`)
    does not have under that name (or wire key)."""
    own = _declared_fields(tree)
    bases = {
        node.name: [b.id for b in node.bases if isinstance(b, ast.Name)]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }

    def inherited(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Declared fields of a class and of its bases defined in the module."""
        found = set(own.get(name, ()))
        for base in bases.get(name, ()):
            if base in own and base not in seen:
                found |= inherited(base, seen | {name})
        return found

    classes = {name: inherited(name) for name in own}
    aliases = {
        node.target.id for node in tree.body if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    } | {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    problems = []
    for model in models:
        origin = model.origin
        if model.class_name not in classes:
            if model.class_name not in aliases or model.fields:  # an alias is right only for a model without fields
                problems.append((model, origin, f"datamodel-code-generator did not emit class {model.class_name} ({kind} models)"))
            continue
        for field in model.fields:
            expected = field.wire_name if kind == "typeddict" else field.python_name
            if expected not in classes[model.class_name]:
                problems.append((
                    model,
                    f"{origin}/properties/{escape_pointer_token(field.wire_name)}",
                    f"datamodel-code-generator named field {field.wire_name!r} of {model.class_name} "
                    f"differently from {expected!r} ({kind} models)",
                ))
    return problems
