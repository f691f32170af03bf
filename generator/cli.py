"""Command line: `generate` writes the SDKs and docs, `check` reports drift; exit 0 ok, 1 drift, 2 bad input."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from dataclasses import replace

from . import diff
from .config import ConfigError, load_config
from .diagnostics import Level, SpecError
from .output import compare, describe, files_on_disk, write_tree

EXIT_OK, EXIT_DRIFT, EXIT_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = argparse.ArgumentParser(prog="acs-sdkgen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("generate", "write generated/ from the spec"), ("check", "fail with a diff if generated/ is stale")):
        cmd = sub.add_parser(name, help=text, description=text)
        cmd.add_argument("--spec", type=Path, help="spec file, YAML or JSON (default: from the configuration)")
        cmd.add_argument("--out", type=Path, help="output directory (default: from the configuration)")
        cmd.add_argument("--config", type=Path, help="pyproject.toml with a [tool.acs-sdkgen] table (default: ./pyproject.toml)")
        cmd.add_argument("--flavor", action="append", default=[], help="build only this flavor (repeatable)")
        cmd.add_argument("--option", action="append", default=[], metavar="FLAVOR.KEY=VALUE", help="override a flavor option")
        cmd.add_argument("--templates", type=Path, action="append", default=[], help="template override directory")
        cmd.add_argument("--allow-external-refs", action="store_true", help="follow $refs to files outside the spec's directory")
        cmd.add_argument("--allow-remote-refs", action="store_true", help="fetch $refs to http(s) URLs (15 s timeout, 64 MiB bound)")
        cmd.add_argument("-q", "--quiet", action="store_true", help="print errors only")
        if name == "generate":
            cmd.add_argument("--force", action="store_true", help="render even when no input changed")
    diff.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and of `python -m generator`."""
    args = _parser().parse_args(argv)
    if args.command == "diff":
        return diff.command(args)
    for directory in args.templates:
        if not directory.is_dir():
            print(f"ERROR {directory}: template override directory does not exist", file=sys.stderr)
            return EXIT_INPUT
    try:
        config = load_config(args.config).with_cli(args.flavor, args.option)
        config = replace(config, spec=args.spec or config.spec, out=args.out or config.out)
    except ConfigError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return EXIT_INPUT
    from .freshness import is_current

    started = time.perf_counter()
    remote = args.allow_remote_refs  # a remote spec part can change at any time: always render
    if args.command == "generate" and not args.force and not remote and is_current(config, args.templates):
        if not args.quiet:
            print(f"{config.out} is up to date: no input changed ({time.perf_counter() - started:.2f}s)")
        return EXIT_OK
    from .pipeline import run
    from .render import TemplateError

    try:
        result = run(
            config, args.templates, allow_external_refs=args.allow_external_refs, allow_remote_refs=args.allow_remote_refs
        )
    except (ConfigError, TemplateError) as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return EXIT_INPUT
    except SpecError as exc:
        for item in exc.diagnostics:
            print(item.format(), file=sys.stderr)
        errors = sum(d.level is Level.ERROR for d in exc.diagnostics)
        print(f"{errors} error(s); nothing was written", file=sys.stderr)
        return EXIT_INPUT
    for item in result.diagnostics:
        if not args.quiet or item.level is Level.ERROR:
            print(item.format(), file=sys.stderr)
    if args.command == "check":
        actual = files_on_disk(config.out)
        drift = compare(result.files, actual)
        if drift.clean:
            if not args.quiet:
                print(f"{config.out} is up to date ({len(result.files)} files)")
            return EXIT_OK
        print(describe(drift, result.files, actual, config.out.as_posix()))
        print(f"\n{config.out} is stale: run `python -m generator generate` and commit the result", file=sys.stderr)
        return EXIT_DRIFT
    changed = write_tree(config.out, result.files)
    if not args.quiet:
        elapsed = time.perf_counter() - started
        print(f"wrote {len(changed)} of {len(result.files)} files to {config.out} in {elapsed:.2f}s")
        for path in changed:
            print(f"  {path}")
    return EXIT_OK
