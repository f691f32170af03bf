"""The `acs-sdkgen` command: generate, check, diff and docs; exit 0 ok, 1 drift or breaking change, 2 bad input, 3 our bug."""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .changes import diff
from .config import BUILTIN, OPTION_KEYS, Config, ConfigError, load_config
from .diagnostics import Level, SpecError
from .frontend import RefOptions, read_spec
from .output.files import (
    MANIFEST,
    OutputError,
    Snapshot,
    compare,
    describe,
    generated_on_disk,
    snapshot,
    write_output,
)
from .output.manifest import generator_version

if TYPE_CHECKING:
    from .pipeline import Result

EXIT_OK, EXIT_DRIFT, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3  # EXIT_DRIFT: stale output, or a breaking change
EXIT_READER_GONE = 141  # as a shell reports a command ended by SIGPIPE
PROG = "acs-sdkgen"
EPILOG = f"""flavors: {', '.join(BUILTIN)} (or your own: [tool.{PROG}.flavor.NAME] with models = ...)
option keys (--option FLAVOR.KEY=VALUE): {', '.join(OPTION_KEYS)}
configuration: [tool.{PROG}] of the nearest pyproject.toml upwards from the working directory"""


def _parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__, epilog=EPILOG, formatter_class=formatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {generator_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("generate", "write the SDKs and docs from the spec"), ("check", "fail with a diff if the output is stale")):
        cmd = sub.add_parser(name, help=text, description=text, epilog=EPILOG, formatter_class=formatter)
        _add_config_arguments(cmd)
        cmd.add_argument("--spec", type=Path, help="spec file, YAML or JSON (default: from the configuration)")
        cmd.add_argument("--flavor", action="append", default=[], help="build only this flavor (repeatable)")
        cmd.add_argument("--option", action="append", default=[], metavar="FLAVOR.KEY=VALUE", help="override a flavor option")
        cmd.add_argument("--templates", type=Path, action="append", default=[], help="template override directory")
        _add_ref_arguments(cmd)
        cmd.add_argument("-q", "--quiet", action="store_true", help="print errors only")
        if name == "generate":
            cmd.add_argument("--force", action="store_true", help="render even when no input changed")
            cmd.add_argument(
                "--overwrite",
                action="store_true",
                help="write into a directory that holds files the generator did not write (it never deletes them)",
            )
    text = "compare the public API generated from two specs; exit 1 when a change is breaking"
    cmd = sub.add_parser("diff", help=text, description=text)
    cmd.add_argument("old", metavar="OLD", help="old spec: a file, or REV:PATH read with git (e.g. HEAD~1:spec/api.yaml)")
    cmd.add_argument("new", metavar="NEW", help="new spec: a file or REV:PATH")
    report = cmd.add_mutually_exclusive_group()
    report.add_argument("--format", choices=sorted(diff.FORMATS), default="text", help="report format (default: text)")
    report.add_argument("--changelog", action="store_true", help="print a Markdown changelog entry instead")
    _add_ref_arguments(cmd)
    docs = sub.add_parser("docs", help="build or serve the generated docs site (needs acs-sdkgen[docs])")
    docs.add_argument("action", choices=("build", "serve"), help="build: a static site in strict mode; serve: preview with live reload")
    _add_config_arguments(docs)
    docs.add_argument("--site", type=Path, default=Path("site"), help="where `build` writes the site (default: ./site)")
    docs.add_argument("--port", type=int, default=8000, help="port of `serve` on 127.0.0.1 (default: 8000)")
    _add_mock_parser(sub)
    return parser


def _add_mock_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`mock`: serve a mock of the spec that checks every request (see acs_sdkgen.mock)."""
    text = "serve a mock of the spec on 127.0.0.1 that checks every request and answers from the spec"
    cmd = sub.add_parser("mock", help=text, description=text)
    cmd.add_argument("spec", metavar="SPEC", nargs="?", type=Path, help="spec file (default: from the configuration)")
    cmd.add_argument("--config", type=Path, help="pyproject.toml with a [tool.acs-sdkgen] table (default: the nearest one upwards)")
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    cmd.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one, printed)")
    cmd.add_argument("--seed", type=int, default=0, help="seed of the generated answers (default: 0)")
    cmd.add_argument("--rules", type=Path, help="YAML rules file: errors, statuses, latency and faults on demand, limits")
    cmd.add_argument("--limit", action="append", default=[], metavar="FIELD=N", help="override a limit the spec declares (repeatable)")
    cmd.add_argument("--stateless", action="store_true", help="keep no resources: every call is answered from the spec alone")
    cmd.add_argument("--access-key-id", help="AccessKey ID RPC signatures must use (default: $ALIBABA_CLOUD_ACCESS_KEY_ID)")
    cmd.add_argument("--access-key-secret", help="its secret (default: $ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
    cmd.add_argument("--api-key", help="REST: the API key requests must send (default: $<PACKAGE>_API_KEY; unset: any)")
    cmd.add_argument("--bearer-token", help="REST: the bearer token requests must send (default: $<PACKAGE>_TOKEN; unset: any)")
    cmd.add_argument("--username", help="REST: the basic-auth user (default: $<PACKAGE>_USERNAME; unset: any)")
    cmd.add_argument("--password", help="REST: the basic-auth password (default: $<PACKAGE>_PASSWORD; unset: any)")
    _add_ref_arguments(cmd)


def _add_ref_arguments(cmd: argparse.ArgumentParser) -> None:
    """--allow-external-refs and --allow-remote-refs, for every command that reads a spec."""
    cmd.add_argument("--allow-external-refs", action="store_true", help="follow $refs to files outside the spec's directory")
    cmd.add_argument("--allow-remote-refs", action="store_true", help="fetch $refs to http(s) URLs (15 s timeout, 64 MiB bound)")


def _refs(args: argparse.Namespace) -> RefOptions:
    """The ref options given on the command line."""
    return RefOptions(allow_external_refs=args.allow_external_refs, allow_remote_refs=args.allow_remote_refs)


def _add_config_arguments(cmd: argparse.ArgumentParser) -> None:
    """--config and --out, shared by the commands that read the configuration."""
    cmd.add_argument("--config", type=Path, help="pyproject.toml with a [tool.acs-sdkgen] table (default: the nearest one upwards)")
    cmd.add_argument("--out", type=Path, help="output directory (default: from the configuration, else ./generated)")


def _config(args: argparse.Namespace) -> Config:
    """The configuration with the command line applied."""
    config = load_config(args.config)
    if hasattr(args, "flavor"):
        config = replace(config.with_cli(args.flavor, args.option), spec=args.spec or config.spec)
    return replace(config, out=args.out or config.out)


def run() -> None:
    """The console script and `python -m acs_sdkgen`: `main`, then the exit. Once the output streams are flushed, and
    where no child process or other thread is left, the process ends without tearing the interpreter down object
    by object (after a large run, 0.05 s of freeing what the operating system frees at once)."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    if multiprocessing.active_children() or threading.active_count() > 1:
        sys.exit(code)
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and of `python -m acs_sdkgen`; a generator bug exits 3."""
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except BrokenPipeError:  # the reader of the output stopped reading (`| head`): the run's work is done
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that the exit's flush fails no more
        return EXIT_READER_GONE
    except Exception as exc:  # a bug of ours, whatever the input: say so, distinct from bad input
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} (at {Path(frame.filename).name}:{frame.lineno})\n"
            f"This is a bug in {PROG} {generator_version()}, not a problem of your input: please report it "
            "with the spec and this message. Nothing was written.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _command(args: argparse.Namespace) -> int:
    """Run the chosen subcommand."""
    if args.command == "diff":
        return _diff(args)
    if args.command == "mock":
        return _mock(args)
    try:
        config = _config(args)
        if args.command == "docs":
            return _docs(args, config)
        for directory in args.templates:
            if not directory.is_dir():
                raise ConfigError(f"--templates {directory}: template override directory does not exist")
        return _generate_or_check(args, config, config.spec_path)
    except (ConfigError, OutputError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_INPUT


def _generate_or_check(args: argparse.Namespace, config: Config, spec: Path) -> int:
    """Run the pipeline; `check` compares with the output directory, `generate` writes it."""
    from .output.manifest import is_current

    started = time.perf_counter()
    remote = args.allow_remote_refs  # a remote spec part can change at any time: always render
    if args.command == "generate" and not args.force and not remote and is_current(config, args.templates):
        if not args.quiet:
            print(f"{config.out} is up to date: no input changed ({time.perf_counter() - started:.2f}s)")
        return EXIT_OK
    from .emit.formatting import FormatError
    from .emit.templates import TemplateError
    from .forked import Later
    from .pipeline import run
    from .reuse import settle

    writes = args.command == "generate" and (config.out / MANIFEST).is_file()  # over an output of ours: read it meanwhile
    with Later(partial(snapshot, config.out), fork=True) if writes else contextlib.nullcontext() as before:
        try:
            result = run(config, args.templates, _refs(args))
        except (TemplateError, FormatError) as exc:
            print(f"{PROG}: error: {exc}\nnothing was written", file=sys.stderr)
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
            code = _drift(config, result, args.quiet)
        else:
            code = _write(config, result, spec, args, started, before.result() if before else None)
    settle()  # the IR's cache entry for the next edit, built beside this run
    return code


def _drift(config: Config, result: Result, quiet: bool) -> int:
    """`check`: compare the output directory with what the run produced, and say how it differs."""
    actual = generated_on_disk(config.out, result.files)
    drift = compare(result.files, actual)
    if drift.clean:
        if not quiet:
            print(f"{config.out} is up to date ({len(result.files)} files)")
        return EXIT_OK
    print(describe(drift, result.files, actual, config.out.as_posix()))
    print(f"\n{config.out} is stale: run `{PROG} generate` and commit the result", file=sys.stderr)
    return EXIT_DRIFT


def _write(config: Config, result: Result, spec: Path, args: argparse.Namespace, started: float, before: Snapshot | None) -> int:
    """`generate`: write the output directory (as `before` found it, if read) and say what changed."""
    changed = write_output(config.out, result.files, overwrite=args.overwrite, protected=[spec], digests=result.digests, before=before)
    if not args.quiet:
        elapsed = time.perf_counter() - started
        print(f"wrote {len(changed)} of {len(result.files)} files to {config.out} in {elapsed:.2f}s")
        for path in changed:
            print(f"  {path}")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    """Compare the public APIs of two specs read through the front end; exit 1 when a change is breaking."""
    apis, problems = [], []
    for source in (args.old, args.new):
        try:
            apis.append(read_spec(source, _refs(args)).api)
        except SpecError as exc:
            problems += exc.diagnostics
    if problems:
        for item in problems:
            print(item.format(), file=sys.stderr)
        errors = sum(d.level is Level.ERROR for d in problems)
        print(f"{errors} error(s); nothing was compared", file=sys.stderr)
        return EXIT_INPUT
    changes = diff.diff_apis(*apis)
    sys.stdout.write(diff.format_changelog(changes) if args.changelog else diff.FORMATS[args.format](changes))
    return EXIT_DRIFT if any(c.breaking for c in changes) else EXIT_OK


def _docs(args: argparse.Namespace, config: Config) -> int:
    """Build or serve `<out>/docs` with MkDocs (an optional dependency: `pip install acs-sdkgen[docs]`)."""
    project = config.out / "docs" / "mkdocs.yml"
    if not project.is_file():
        raise ConfigError(f"{project} does not exist: run `{PROG} generate` first (or pass --out)")
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        raise ConfigError(f"the docs commands need MkDocs: pip install '{PROG}[docs]'") from None
    command = [sys.executable, "-m", "mkdocs", args.action, "--strict", "-f", str(project)]
    if args.action == "build":
        command += ["-d", str(args.site.resolve())]
    else:
        command += ["-a", f"127.0.0.1:{args.port}"]
    return subprocess.call(command, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def _mock(args: argparse.Namespace) -> int:
    """Serve the mock until SIGINT or SIGTERM; bad input (spec, rules, port) exits 2."""
    import logging
    import signal

    from .mock import build
    from .mock.rules import RulesError

    try:
        spec = args.spec or load_config(args.config).spec_path
        limits = {}
        for item in args.limit:
            name, _, number = item.partition("=")
            try:
                limits[name] = float(number)
            except ValueError:
                raise ConfigError(f"--limit {item}: expected FIELD=NUMBER") from None
        server = build(
            spec,
            host=args.host,
            port=args.port,
            seed=args.seed,
            rules=args.rules,
            access_key_id=args.access_key_id,
            access_key_secret=args.access_key_secret,
            api_key=args.api_key,
            bearer_token=args.bearer_token,
            username=args.username,
            password=args.password,
            limits=limits,
            stateful=not args.stateless,
            refs=_refs(args),
        )
    except SpecError as exc:
        for item in exc.diagnostics:
            print(item.format(), file=sys.stderr)
        print(f"{sum(d.level is Level.ERROR for d in exc.diagnostics)} error(s); the mock did not start", file=sys.stderr)
        return EXIT_INPUT
    except (ConfigError, RulesError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    api = server.engine.api
    checked = ", ".join(server.engine.secrets.checked()) or "none: any credential present is accepted"
    rest = f"; credential values checked: {checked}" if api.api.security else ""
    signed = rest if not api.rpc else "; signatures checked" if server.engine.verifier else "; signatures NOT checked (no access key given)"
    print(f"mock of {api.api.title} ({api.api.style}, {len(api.routes)} operations) at {server.url}{signed}", flush=True)
    server.start()
    stop.wait()
    server.stop()
    print("mock stopped", flush=True)
    return EXIT_OK
