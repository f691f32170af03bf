"""The manifest: provenance of a generated tree, the input key, and whether the output is current."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from ..cache import code_digest, pinned_versions
from ..config import Config, Flavor
from ..emit.templates import TEMPLATES_DIR, templates_digest
from ..spec.loader import LoadedSpec
from .files import GENERATOR_NAME, OutputError, digest, files_on_disk, read_manifest


def generator_version() -> str:
    """The installed generator's version."""
    try:
        return metadata.version(GENERATOR_NAME)
    except metadata.PackageNotFoundError:
        return "0+source"


def input_key(config: Config, template_dirs: list[Path], sources: tuple[str, ...] = ()) -> str:
    """Hash of every input that shapes the output: spec bytes, configuration, templates, generator code.

    Equal keys mean the output would be byte-identical, so `generate` may skip the work entirely.
    """
    hashed = hashlib.sha256()
    settings = {  # the pinned libraries' versions are part of `code_digest`
        "flavors": config.flavors,
        "overrides": config.overrides,
        "version": config.version,
        "pagination": config.pagination,
        "spec": config.spec_path.name,  # generated headers name it
    }
    hashed.update(json.dumps(settings, sort_keys=True).encode())
    hashed.update(config.spec_path.read_bytes())
    for name in sources:  # the other files of a multi-file spec, relative to its directory
        data = b"" if "://" in name else (config.spec_path.parent / name).read_bytes()  # URLs: never current
        hashed.update(name.encode() + b"\0" + data + b"\0")
    hashed.update(code_digest())
    hashed.update(templates_digest([*template_dirs, TEMPLATES_DIR]).encode())
    return hashed.hexdigest()


def is_current(config: Config, template_dirs: list[Path]) -> bool:
    """Whether the output already holds exactly what these inputs produce (manifest key and file hashes)."""
    try:
        recorded = read_manifest(config.out)
        if recorded is None:
            return False
        sources = tuple(recorded.get("spec", {}).get("sources", ()))
        if any("://" in name for name in sources) or recorded.get("input_key") != input_key(config, template_dirs, sources):
            return False
        expected = recorded["files"]
        on_disk = files_on_disk(config.out, expected)
    except (OSError, ValueError, KeyError, TypeError, OutputError):
        return False
    return expected.keys() == on_disk.keys() and all(digest(data) == expected[path] for path, data in on_disk.items())


def manifest(spec: LoadedSpec, flavors: tuple[Flavor, ...], digests: dict[str, str], key: str) -> bytes:
    """Provenance of the tree: spec hash, generator and pinned versions, flavors, each file's hash (`digests`)."""
    body = {
        "generator": {"name": "acs-sdkgen", "version": generator_version()},
        "pinned": pinned_versions(),
        "spec": {"file": spec.display_name, "sha256": spec.sha256, **({"sources": list(spec.sources)} if spec.sources else {})},
        "flavors": {
            f.name: {"package": f.package, "distribution": f.distribution, "version": f.version, "models": f.models, "clients": list(f.clients)}
            for f in flavors
        },
        "files": dict(sorted(digests.items())),
        "input_key": key,
    }
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()
