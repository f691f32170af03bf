"""Command line: `generate` writes the SDKs and docs, `check` reports drift; exit 0 ok, 1 drift, 2 bad input."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import Options
from .diagnostics import Level, SpecError
from .output import compare, describe, files_on_disk, write_tree

EXIT_OK, EXIT_DRIFT, EXIT_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = argparse.ArgumentParser(prog="acs-sdkgen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("generate", "write generated/ from the spec"), ("check", "fail with a diff if generated/ is stale")):
        cmd = sub.add_parser(name, help=text, description=text)
        cmd.add_argument("--spec", type=Path, default=Path("spec/outboundbot.yaml"), help="spec file (YAML or JSON)")
        cmd.add_argument("--out", type=Path, default=Path("generated"), help="output directory")
        cmd.add_argument("--package", help="Python package name (default: from the spec)")
        cmd.add_argument("--sdk-version", default="0.1.0", help="version of the generated distributions")
        cmd.add_argument("--templates", type=Path, action="append", default=[], help="template override directory")
        cmd.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and of `python -m generator`."""
    args = _parser().parse_args(argv)
    for directory in args.templates:
        if not directory.is_dir():
            print(f"ERROR {directory}: template override directory does not exist", file=sys.stderr)
            return EXIT_INPUT
    from .pipeline import run

    started = time.perf_counter()
    try:
        result = run(args.spec, Options(package=args.package, sdk_version=args.sdk_version), args.templates)
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
        actual = files_on_disk(args.out)
        drift = compare(result.files, actual)
        if drift.clean:
            if not args.quiet:
                print(f"{args.out} is up to date ({len(result.files)} files)")
            return EXIT_OK
        print(describe(drift, result.files, actual, args.out.as_posix()))
        print(f"\n{args.out} is stale: run `python -m generator generate` and commit the result", file=sys.stderr)
        return EXIT_DRIFT
    changed = write_tree(args.out, result.files)
    if not args.quiet:
        elapsed = time.perf_counter() - started
        print(f"wrote {len(changed)} of {len(result.files)} files to {args.out} in {elapsed:.2f}s")
        for path in changed:
            print(f"  {path}")
    return EXIT_OK
