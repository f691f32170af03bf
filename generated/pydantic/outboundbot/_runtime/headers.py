"""A dict of HTTP headers with case-insensitive lookup."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class Headers(dict[str, str]):
    """Header names stored lower-case; ``[]``, ``get`` and ``in`` ignore case."""

    __slots__ = ()

    def __init__(
        self, headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()
    ) -> None:
        """Copy ``headers``, lower-casing names and joining repeats with ``", "``."""
        super().__init__()
        items = headers.items() if hasattr(headers, "items") else headers
        for name, value in items:
            key = name.lower()
            old = dict.get(self, key)
            dict.__setitem__(self, key, value if old is None else f"{old}, {value}")

    def __getitem__(self, name: str) -> str:
        """Look ``name`` up ignoring case."""
        return dict.__getitem__(self, name.lower())

    def __setitem__(self, name: str, value: str) -> None:
        """Store ``value`` under the lower-cased ``name``."""
        dict.__setitem__(self, name.lower(), value)

    def __contains__(self, name: object) -> bool:
        """Tell whether a header is present, ignoring case."""
        return isinstance(name, str) and dict.__contains__(self, name.lower())

    def get(  # type: ignore[override]
        self, name: str, default: str | None = None
    ) -> str | None:
        """Look ``name`` up ignoring case, with a default."""
        return dict.get(self, name.lower(), default)

    def __repr__(self) -> str:
        """Show as ``Headers({...})``."""
        return f"Headers({dict.__repr__(self)})"
