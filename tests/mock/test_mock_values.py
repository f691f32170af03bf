"""The mock's schema handling on shapes public specs use: non-ASCII component names, rule-only unions."""

from __future__ import annotations

import random

from acs_sdkgen.mock.schemas import FORMAT_SAMPLES, Schemas


def test_a_component_named_with_other_letters_is_checked() -> None:
    """A `$ref` to `Ménu` is a valid URI reference once percent-encoded: values are checked against it."""
    schemas = Schemas({"openapi": "3.0.3", "components": {"schemas": {"Ménu": {"type": "object", "required": ["a"]}}}})
    ref = {"$ref": "#/components/schemas/Ménu"}
    assert schemas.problems(ref, {"a": 1}) == [] and schemas.problems(ref, {}) != []


def test_an_any_of_of_rules_generates_an_object_that_keeps_them() -> None:
    """`anyOf: [{required: [content]}, ...]` on an object adds a rule, not a shape: the value is that object."""
    file = {
        "type": "object",
        "properties": {"content": {"type": "string"}, "filename": {"type": "string"}},
        "anyOf": [{"required": ["content"]}, {"type": "object", "maxProperties": 0}],
    }
    schemas = Schemas({"openapi": "3.0.3", "components": {"schemas": {}}})
    value = schemas.generate(file, random.Random(1))
    assert isinstance(value, dict) and isinstance(value.get("content"), str)
    assert schemas.problems(file, value) == []


def test_an_example_or_default_the_schema_refuses_is_not_answered() -> None:
    """A boolean whose default is `""`, an integer whose example is a word: the mock answers values that fit (the
    SDK's models would refuse the spec's), and keeps a default that fits."""
    thing = {
        "type": "object",
        "properties": {
            "flag": {"type": "boolean", "default": ""},
            "count": {"type": "integer", "example": "many", "minimum": 1},
            "mode": {"type": "string", "enum": ["a", "b"], "default": "c"},
            "size": {"type": "integer", "default": 3},
        },
    }
    schemas = Schemas({"openapi": "3.0.3", "components": {"schemas": {}}})
    for seed in range(5):
        value = schemas.generate(thing, random.Random(seed))
        assert schemas.problems(thing, value) == [], value
        assert value["size"] == 3


def test_a_generated_string_of_each_format_passes_the_mocks_own_format_check() -> None:
    """The mock never refuses its own values: a `time` is `hh:mm:ssZ`, not letters (a request a generated test
    builds from the schema would be answered 400)."""
    schemas = Schemas({"openapi": "3.0.3", "components": {"schemas": {}}})
    for fmt in FORMAT_SAMPLES:
        schema = {"type": "string", "format": fmt}
        for seed in range(20):
            value = schemas.generate(schema, random.Random(seed))
            assert schemas.problems(schema, value) == [], (fmt, value)


def test_an_all_of_that_annotates_a_reference_generates_the_referenced_shape() -> None:
    """`allOf: [{$ref: List}, {description}]` (how AWS specs annotate every property) is an array of List's items,
    and a scalar keeps its target's enum and range."""
    components = {
        "Summary": {"type": "object", "required": ["topic"], "properties": {"topic": {"type": "string"}}},
        "SummaryList": {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}},
        "Qos": {"type": "integer", "minimum": 0, "maximum": 1},
        "Mode": {"type": "string", "enum": ["on", "off"]},
    }
    annotated = {
        name.lower(): {"allOf": [{"$ref": f"#/components/schemas/{name}"}, {"description": "Annotated."}]}
        for name in components
    }
    answer = {"type": "object", "required": list(annotated), "properties": annotated}
    schemas = Schemas({"openapi": "3.0.3", "components": {"schemas": components}})
    for seed in range(10):
        value = schemas.generate(answer, random.Random(seed))
        assert schemas.problems(answer, value) == [], value
        assert value["summarylist"] and all(isinstance(item, dict) for item in value["summarylist"])


def test_a_pattern_python_cannot_compile_is_not_held_against_values() -> None:
    """Java's `[\\p{Print}&&[^|:/]]+` (AWS) draws no value, so the mock does not check one against it either: it
    refused its own generated request bodies."""
    name = {"type": "string", "pattern": "[\\p{Print}&&[^|:/]]+", "minLength": 1}
    schemas = Schemas({"openapi": "3.0.3", "components": {"schemas": {}}})
    value = schemas.generate(name, random.Random(3))
    assert isinstance(value, str) and schemas.problems(name, value) == []
    assert schemas.problems(name, "") != []  # the other rules still hold


def test_a_discriminated_base_answers_a_subclass_with_its_tag() -> None:
    """A base whose discriminator its subclasses inherit through `allOf` is, in the SDK's models, a union of the
    subclasses told apart by the tag: its value is the first subclass's (the mapping's first, else the first in the
    spec), with that subclass's tag (its mapping key, `x-ms-discriminator-value`, else its name), at any depth."""

    def animals(discriminator: dict[str, object], cat_extra: dict[str, object]) -> Schemas:
        cat = {"allOf": [{"$ref": "#/components/schemas/Animal"}, {"properties": {"lives": {"type": "integer"}}, "required": ["lives"]}]}
        dog = {"allOf": [{"$ref": "#/components/schemas/Animal"}, {"properties": {"good": {"type": "boolean"}}}]}
        animal = {"type": "object", "properties": {"kind": {"type": "string"}}, "discriminator": discriminator}
        return Schemas({"openapi": "3.0.3", "components": {"schemas": {"Animal": animal, "Cat": {**cat, **cat_extra}, "Dog": dog}}})

    base = {"$ref": "#/components/schemas/Animal"}
    deep = {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "array", "items": base}}}}}
    cases = [
        ({"propertyName": "kind"}, {}, "Cat", "lives"),
        ({"propertyName": "kind"}, {"x-ms-discriminator-value": "Felis"}, "Felis", "lives"),
        ({"propertyName": "kind", "mapping": {"hound": "#/components/schemas/Dog"}}, {}, "hound", None),
    ]
    for discriminator, cat_extra, tag, field in cases:
        schemas = animals(discriminator, cat_extra)
        value = schemas.generate(base, random.Random(3))
        assert value["kind"] == tag and (field is None or isinstance(value[field], int)), value
        assert schemas.problems({"$ref": "#/components/schemas/Cat" if field else "#/components/schemas/Dog"}, value) == []
        items = schemas.generate(deep, random.Random(3))["a"]["b"]
        assert items and all(item["kind"] == tag for item in items)
        assert schemas.generate(base, random.Random(3), 9)["kind"] == tag  # past the depth where optional ones stop
