"""Small value classes, without the import cost of ``dataclasses`` (``inspect``)."""

from __future__ import annotations


class Record:
    """Base of slotted value classes: equality and repr derived from ``__slots__``."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        """Return the field values in declaration order."""
        return tuple([getattr(self, name) for name in self.__slots__])

    def __eq__(self, other: object) -> bool:
        """Compare field by field with an instance of exactly the same class."""
        if other.__class__ is self.__class__:
            assert isinstance(other, Record)
            return self._values() == other._values()
        return NotImplemented

    def __repr__(self) -> str:
        """Show ``ClassName(field=value, ...)`` like a dataclass."""
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class FrozenRecord(Record):
    """A record whose fields cannot be reassigned after ``__init__``."""

    __slots__ = ()

    def __hash__(self) -> int:
        """Hash the field values."""
        return hash(self._values())

    def __setattr__(self, name: str, value: object) -> None:
        """Refuse assignment: records are immutable."""
        raise AttributeError(f"cannot assign to field {name!r} of a frozen record")

    def __delattr__(self, name: str) -> None:
        """Refuse deletion: records are immutable."""
        raise AttributeError(f"cannot delete field {name!r} of a frozen record")

    def _init(self, **fields: object) -> None:
        """Set fields from ``__init__`` (bypasses the frozen ``__setattr__``)."""
        for name, value in fields.items():
            object.__setattr__(self, name, value)
