"""The dataclasses' wire mapping (`runtime/wire.py`) on shapes the fixture trees do not reach."""

from __future__ import annotations

from dataclasses import dataclass

from acs_sdkgen.runtime.wire import decode, encode

Caps = dict[str, bool]  # what the model library makes of `{type: object, additionalProperties: {type: boolean}}`


@dataclass
class Holder:
    caps: Caps | None = None


REGISTRY = {Holder: {"caps": ("caps", Caps, "")}, Caps: {}}


def test_a_map_model_decodes_to_the_object_as_sent() -> None:
    """A field or a response of a map model (a `dict[str, V]` alias, not a dataclass) is the JSON object as sent;
    the decoder called `dataclasses.fields` on it (mastercard's open-banking `capabilities`)."""
    holder = decode(Holder, {"caps": {"pay": True}}, REGISTRY)
    assert holder.caps == {"pay": True}
    assert decode(Caps, {"read": False}, REGISTRY) == {"read": False}
    assert encode(holder, REGISTRY) == {"caps": {"pay": True}}
