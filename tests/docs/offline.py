"""Run the `mkdocs` command line with the network cut off: only loopback and local sockets connect.

Usage: python offline.py build --strict -f mkdocs.yml -d SITE (any mkdocs command line), or
python offline.py build-many PROJECT SITE [PROJECT SITE ...] to build several projects strict in one
process (one import of MkDocs instead of one per project); it prints `FAILED PROJECT: reason` for each
project that does not build and exits 1 if any failed. Any attempt to resolve or reach another host
raises OSError and is reported on stderr as `BLOCKED network access: ...`, so a plugin that swallows
the error still shows up in the test's output.
"""

from __future__ import annotations

import socket
import sys

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


def _is_local(host: object) -> bool:
    """Loopback names and addresses."""
    text = str(host)
    return text in LOCAL_NAMES or text.startswith("127.")


def _blocked(what: str) -> OSError:
    """Report and build the error for a refused attempt."""
    print(f"BLOCKED network access: {what}", file=sys.stderr)
    return OSError(f"network access is blocked during an offline docs build: {what}")


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):  # type: ignore[index]
        raise _blocked(f"connect {address!r}")
    return _connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):  # type: ignore[index]
        raise _blocked(f"connect {address!r}")
    return _connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if host is not None and not _is_local(host):
        raise _blocked(f"resolve {host!r}")
    return _getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]



def build_many(pairs: list[str]) -> int:
    """Build each (project, site) pair with strict mode; 1 if any failed."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    failed = 0
    for project, site in zip(pairs[::2], pairs[1::2]):
        try:
            build(load_config(config_file=f"{project}/mkdocs.yml", strict=True, site_dir=site))
        except (MkDocsException, OSError) as exc:
            print(f"FAILED {project}: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["build-many"]:
        sys.exit(build_many(sys.argv[2:]))
    from mkdocs.__main__ import cli

    sys.argv = ["mkdocs", *sys.argv[1:]]
    cli()
