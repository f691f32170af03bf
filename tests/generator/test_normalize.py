"""Normalisation passes met in public specs: `$ref`s the models cannot follow are claimed as components or
copied in; whole-number defaults of numbers become floats; an allOf contradicting its base is flattened."""

from __future__ import annotations

from typing import Any

from acs_sdkgen.diagnostics import Collector
from acs_sdkgen.spec.normalize import normalize

PATH_SCHEMA = "#/paths/~1tags/get/responses/200/content/application~1json/schema"


def _doc(schemas: dict[str, Any]) -> dict[str, Any]:
    """A 3.0 document with one operation answering a string list, and these components."""
    ok = {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}
    paths = {"/tags": {"get": {"operationId": "listTags", "responses": {"200": ok}}}}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, "components": {"schemas": schemas}}


def _schemas(schemas: dict[str, Any]) -> dict[str, Any]:
    """The components after normalisation."""
    return normalize(_doc(schemas), Collector("spec.yaml")).doc["components"]["schemas"]


def test_a_ref_into_a_path_is_copied_in() -> None:
    """A property typed by a path's response schema gets that schema itself, description kept."""
    got = _schemas({"Tagged": {"type": "object", "properties": {"tags": {"$ref": PATH_SCHEMA, "description": "d"}}}})
    assert got["Tagged"]["properties"]["tags"] == {"type": "array", "items": {"type": "string"}, "description": "d"}


def test_a_ref_into_part_of_a_component_gets_a_component_of_its_own() -> None:
    """`Base/allOf/0` and a `definitions` entry are classes: each becomes one component, shared by its users."""
    member = {"type": "object", "properties": {"id": {"type": "string"}, "kind": {"$ref": "#/components/schemas/Kind"}}}
    ref = {"type": "object", "properties": {"code": {"type": "string"}}}
    got = _schemas({
        "Kind": {"type": "string", "enum": ["a", "b"]},
        "Base": {"allOf": [member], "definitions": {"ref": ref}},
        "Owner": {"allOf": [{"$ref": "#/components/schemas/Base/allOf/0"}]},
        "Other": {"properties": {"base": {"$ref": "#/components/schemas/Base/allOf/0"}, "r": {"$ref": "#/components/schemas/Base/definitions/ref"}}},
    })
    assert got["Owner"]["allOf"] == [{"$ref": "#/components/schemas/BaseAllOf0"}] and got["BaseAllOf0"] == member
    assert got["Other"]["properties"] == {
        "base": {"$ref": "#/components/schemas/BaseAllOf0"}, "r": {"$ref": "#/components/schemas/BaseRef"},
    }  # fmt: skip
    assert got["BaseRef"] == ref


def test_a_recursive_part_becomes_a_recursive_component() -> None:
    """A part of a component that refers to itself becomes one component referring to itself."""
    loop = {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node/allOf/0"}}}
    got = _schemas({"Node": {"allOf": [loop]}, "User": {"properties": {"node": {"$ref": "#/components/schemas/Node/allOf/0"}}}})
    assert got["NodeAllOf0"] == {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/NodeAllOf0"}}}
    assert got["User"]["properties"]["node"] == {"$ref": "#/components/schemas/NodeAllOf0"}


def test_whole_number_defaults_of_numbers_become_floats() -> None:
    """`default: 1` of a number and `[-180, 90]` of a list of numbers are written as floats; integers stay."""
    got = _schemas({"Box": {"type": "object", "properties": {
        "scale": {"type": "number", "default": 1},
        "bounds": {"type": "array", "items": {"type": "number"}, "default": [-180, 90.5]},
        "count": {"type": "integer", "default": 3},
        "flag": {"type": "number", "default": True},
    }}})["Box"]["properties"]
    assert repr(got["scale"]["default"]) == "1.0" and repr(got["bounds"]["default"]) == "[-180.0, 90.5]"
    assert repr(got["count"]["default"]) == "3" and "default" not in got["flag"]  # a boolean is not a number


def test_a_default_the_field_cannot_hold_is_left_out() -> None:
    """A default of another JSON type, null where null is not allowed, outside its enum, of objects for a model, or
    beside a $ref to a union, is dropped and said; fitting ones stay."""
    diag = Collector("spec.yaml")
    runtime = {"$ref": "#/components/schemas/Runtime"}
    doc = _doc({
        "Options": {"type": "object", "properties": {
            "flag": {"type": "boolean", "default": ""},
            "count": {"type": ["integer", "null"], "default": 2},
            "ratio": {"type": "integer", "default": 1.5},
            "loops": {"$ref": "#/components/schemas/Loops", "default": 1},
            "kind": {"$ref": "#/components/schemas/Kind", "default": "a"},
            "label": {"$ref": "#/components/schemas/Kind", "default": "A"},
            "workers": {"type": "integer", "enum": [6, 12], "default": 7},
            "runtime": {**runtime, "default": {"path": "runc"}},
            "runtimes": {"type": "object", "additionalProperties": runtime, "default": {"runc": {"path": "runc"}}},
            "chain": {"type": "array", "items": runtime, "default": [{"path": "runc"}]},
            "empty": {"type": "array", "items": runtime, "default": []},
            "free": {"type": "object", "default": {"a": {"b": 1}}},
            "unset": {"type": "string", "default": None},
            "maybe": {"type": "string", "nullable": True, "default": None},
        }},
        "Loops": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "Stop": {"oneOf": [{"type": "string", "nullable": True}, {"type": "array", "items": {"type": "string"}}], "default": None},
        "Maybe": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "Kind": {"type": "string", "enum": ["a", "b"]},
        "Runtime": {"type": "object", "properties": {"path": {"type": "string"}}},
    })  # fmt: skip
    got = normalize(doc, diag).doc["components"]["schemas"]
    assert [name for name, prop in got["Options"]["properties"].items() if "default" in prop] == ["count", "kind", "empty", "free", "maybe"]
    assert "default" not in got["Stop"] and got["Maybe"]["default"] is None  # a null default stays where null is allowed
    at = "spec.yaml#/components/schemas/Options/properties"
    assert sorted(d.format() for d in diag.items) == [
        f"INFO {at}/chain/default: default [{{'path': 'runc'}}] holds objects where the type is a model; left out of the models (they do not build instances from it)",
        f"INFO {at}/loops/default: default 1 beside a $ref to a union is left out of the models (its class is not the bare value)",
        f"INFO {at}/runtime/default: default {{'path': 'runc'}} holds objects where the type is a model; left out of the models (they do not build instances from it)",
        f"INFO {at}/runtimes/default: default {{'runc': {{'path': 'runc'}}}} holds objects where the type is a model; left out of the models (they do not build instances from it)",
        f"INFO {at}/unset/default: default null of a schema that is not nullable is left out of the models (an absent field is None there)",
        "INFO spec.yaml#/components/schemas/Stop/default: default null of a schema that is not nullable is left out of the models (an absent field is None there)",
        f"WARNING {at}/flag/default: default '' is not of type boolean; left out of the models",
        f"WARNING {at}/label/default: default 'A' is not one of the enum's values; left out of the models",
        f"WARNING {at}/ratio/default: default 1.5 is not of type integer; left out of the models",
        f"WARNING {at}/workers/default: default 7 is not one of the enum's values; left out of the models",
    ]


def test_an_annotated_ref_stays_inline() -> None:
    """`allOf: [$ref]` with only annotations beside it is typed as the referenced class, not hoisted as a class of its
    own (the library leaves an unused one out); with a rule or another member beside it, it is hoisted."""
    kind = {"$ref": "#/components/schemas/Kind"}
    got = _schemas({
        "Kind": {"type": "string", "enum": ["a", "b"]},
        "Event": {"type": "object", "properties": {
            "to_state": {"allOf": [kind], "readOnly": True, "description": "d"},
            "short": {"allOf": [kind], "maxLength": 1},
            "both": {"allOf": [kind, {"type": "object", "properties": {"x": {"type": "string"}}}]},
        }},
    })  # fmt: skip
    props = got["Event"]["properties"]
    assert props["to_state"] == {"allOf": [kind], "readOnly": True, "description": "d"}
    assert props["short"] == {"$ref": "#/components/schemas/EventShort"} and props["both"] == {"$ref": "#/components/schemas/EventBoth"}


def test_a_discriminator_that_cannot_name_its_options_is_dropped() -> None:
    """A mapping into files, or inline options without a mapping, leave a plain union; a working one stays."""
    diag = Collector("spec.yaml")
    option = {"type": "object", "properties": {"type": {"type": "string"}}}
    doc = _doc({
        "Files": {"oneOf": [option, option], "discriminator": {"propertyName": "type", "mapping": {"a": "models/a.yml"}}},
        "Inline": {"anyOf": [option, option], "discriminator": {"propertyName": "type"}},
        "Named": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": {"propertyName": "type", "mapping": {"a": "A"}}},
        "A": option,
    })  # fmt: skip
    schemas = normalize(doc, diag).doc["components"]["schemas"]
    assert [name for name in ("Files", "Inline", "Named") if "discriminator" in schemas[name]] == ["Named"]
    assert sorted(d.format() for d in diag.items if d.level.name == "WARNING") == [
        "WARNING spec.yaml#/components/schemas/Files/discriminator: the discriminator is not used: its mapping of 'a' names no schema of the document; the union is validated option by option",
        "WARNING spec.yaml#/components/schemas/Inline/discriminator: the discriminator is not used: its options are written inline and it has no mapping; the union is validated option by option",
    ]


def test_an_all_of_that_contradicts_its_base_becomes_one_object() -> None:
    """A redefined property type, or a base's optional property made required, flattens the composition."""
    base = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "kind": {"type": "string"}}}
    own = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["a"]}}}
    got = _schemas({"Base": base, "Child": {"description": "c", "allOf": [{"$ref": "#/components/schemas/Base"}, own]}})
    assert got["Child"] == {
        "description": "c", "type": "object", "required": ["id", "kind"],
        "properties": {"id": {"type": "string"}, "kind": {"$ref": "#/components/schemas/ChildKind"}},
    }  # fmt: skip  (the inline enum was named ChildKind first)
    assert got["Base"] == base


def test_an_all_of_that_only_adds_to_its_base_still_extends_it() -> None:
    """New properties, or a base's property repeated as it is, keep the subclass."""
    base = {"type": "object", "properties": {"id": {"type": "string"}}}
    child = {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"id": {"type": "string"}, "n": {"type": "integer"}}}]}
    assert _schemas({"Base": base, "Child": child})["Child"] == child


def test_rules_that_restate_the_object_type_are_dropped_as_rules() -> None:
    """An anyOf of `required` rules and an empty `type: object` adds no shape: the object keeps its fields."""
    rules = [{"required": ["a"]}, {"type": "object", "maxProperties": 0}]
    got = _schemas({"File": {"type": "object", "properties": {"a": {"type": "string"}}, "anyOf": rules}})
    assert got["File"] == {"type": "object", "properties": {"a": {"type": "string"}}}


def test_a_response_shared_by_ref_is_hoisted_from_where_it_is_written() -> None:
    """DigitalOcean: `/a`'s answer is a `$ref` to `/{b}`'s, which is sorted later; a schema that `$ref`s into that
    answer's inline items still finds the component they became."""
    items = {"type": "object", "properties": {"urn": {"type": "string"}}}
    answer = {"type": "object", "properties": {"resources": {"type": "array", "items": items}}}
    written = "#/paths/~1%7Bb%7D/get/responses/200"
    doc = _doc({"Urn": {"$ref": f"{written}/content/application~1json/schema/properties/resources/items/properties/urn"}})
    doc["paths"] = {
        "/a": {"get": {"operationId": "a", "responses": {"200": {"$ref": written}}}},
        "/{b}": {"get": {"operationId": "b", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": answer}}}}}},
    }
    result = normalize(doc, Collector("spec.yaml"))
    schemas = result.doc["components"]["schemas"]
    assert result.origin("AResponse") == "/paths/~1{b}/get/responses/200/content/application~1json/schema"
    assert schemas["AResponse"]["properties"]["resources"]["items"] == {"$ref": "#/components/schemas/AResponseResourcesItem"}
    assert schemas["Urn"] == {"type": "string"}


def test_subclasses_declaring_their_tag_fill_the_mapping_and_an_enum_tag_becomes_a_string() -> None:
    """Azure's x-ms-discriminator-value names the tag (not the schema name); a base's tag that is a $ref to an
    enum is typed as a string, which each subclass narrows."""
    diag = Collector("spec.yaml")
    doc = _doc({
        "Base": {"type": "object", "properties": {"kind": {"$ref": "#/components/schemas/Kind"}}, "discriminator": {"propertyName": "kind"}},
        "Kind": {"type": "string", "enum": ["trace", "request"]},
        "Trace": {"allOf": [{"$ref": "#/components/schemas/Base"}], "x-ms-discriminator-value": "trace"},
        "Other": {"allOf": [{"$ref": "#/components/schemas/Base"}]},
    })  # fmt: skip
    base = normalize(doc, diag).doc["components"]["schemas"]["Base"]
    assert base["discriminator"] == {"propertyName": "kind", "mapping": {"trace": "#/components/schemas/Trace"}}
    assert base["properties"]["kind"] == {"type": "string"}
    assert sorted(d.format() for d in diag.items) == [
        "INFO spec.yaml#/components/schemas/Base/discriminator: discriminator mapping takes the x-ms-discriminator-value of 1 subclass(es)",
        "INFO spec.yaml#/components/schemas/Base/properties/kind: discriminator 'kind' is typed as a string in the base model instead of the enum Kind; each subclass fixes its value",
    ]


def test_an_enum_tag_in_an_ancestor_of_a_union_option_becomes_a_string() -> None:
    """A discriminated union's option that inherits its tag through `allOf` (at any depth) gets it as a string, so
    the option's `Literal` narrows it; a tag the option declares itself is left as it is."""
    diag = Collector("spec.yaml")
    ref = "#/components/schemas/{}".format
    doc = _doc({
        "Rule": {"oneOf": [{"$ref": ref("Telegram")}, {"$ref": ref("Slack")}], "discriminator": {"propertyName": "type"}},
        "Telegram": {"allOf": [{"$ref": ref("Common")}, {"$ref": ref("TelegramBase")}]},
        "TelegramBase": {"allOf": [{"$ref": ref("TelegramTagged")}]},
        "TelegramTagged": {"type": "object", "properties": {"type": {"type": "string", "enum": ["telegram"]}}},
        "Common": {"type": "object", "properties": {"id": {"type": "string"}}},
        "Slack": {"type": "object", "properties": {"type": {"type": "string", "enum": ["slack"]}}},
    })  # fmt: skip
    got = normalize(doc, diag).doc["components"]["schemas"]
    assert got["TelegramTagged"]["properties"]["type"] == {"type": "string"}
    assert got["SlackType"] == {"type": "string", "enum": ["slack"]}
    assert [d.format() for d in diag.items] == [
        "INFO spec.yaml#/components/schemas/TelegramTagged/properties/type/enum: discriminator 'type' is typed as a string in the base model; each subclass fixes its value (the enum had 1)",
    ]


def test_nullable_false_is_dropped_as_the_default_it_is() -> None:
    """`nullable: false` says what leaving it out says; kept, the library typed an optional field `bool = None`."""
    got = _schemas({"Stadium": {"type": "object", "properties": {"active": {"type": "boolean", "nullable": False}}}})
    assert got["Stadium"]["properties"]["active"] == {"type": "boolean"}


def test_a_keyword_of_another_type_is_dropped() -> None:
    """An array's `minLength: 3` (paccurate's `coordOrder`) constrains nothing in JSON Schema; kept, the library held
    the list to three items and the SDK refused answers the service may send. A string keeps its own."""
    order = {"type": "array", "items": {"type": "integer"}, "minLength": 3, "maxLength": 3, "minItems": 1}
    code = {"type": "string", "minLength": 2, "minimum": 4, "pattern": "^[A-Z]+$"}
    got = _schemas({"Pack": {"type": "object", "properties": {"coordOrder": order, "code": code}}})
    assert got["Pack"]["properties"]["coordOrder"] == {"type": "array", "items": {"type": "integer"}, "minItems": 1}
    assert got["Pack"]["properties"]["code"] == {"type": "string", "minLength": 2, "pattern": "^[A-Z]+$"}


def test_media_types_are_lower_cased() -> None:
    """`application/JSON` keys a JSON body as `application/json` does; a key that would clash is kept as written."""
    doc = _doc({})
    op = doc["paths"]["/tags"]["get"]
    op["responses"]["200"]["content"] = {"Application/JSON; charset=UTF-8": {"schema": {"type": "string"}}}
    op["requestBody"] = {"content": {"application/JSON": {"schema": {}}, "application/json": {"schema": {}}}}
    got = normalize(doc, Collector("spec.yaml")).doc["paths"]["/tags"]["get"]
    assert list(got["responses"]["200"]["content"]) == ["application/json; charset=UTF-8"]
    assert list(got["requestBody"]["content"]) == ["application/JSON", "application/json"]


def test_an_all_of_member_that_only_annotates_moves_onto_the_schema() -> None:
    """AWS writes each property as `allOf: [{$ref}, {description}]`: the words move up and the property reads as an
    annotated reference (typed as the referenced class, no wrapper class per property); a member with a rule stays."""
    steps = {"allOf": [{"$ref": "#/components/schemas/Steps"}, {"description": "The steps."}]}
    capped = {"allOf": [{"$ref": "#/components/schemas/Steps"}, {"maxItems": 3}]}
    got = _schemas(
        {"Steps": {"type": "array", "items": {"type": "string"}}, "Plan": {"type": "object", "properties": {"steps": steps, "capped": capped}}}
    )
    assert got["Plan"]["properties"]["steps"] == {"allOf": [{"$ref": "#/components/schemas/Steps"}], "description": "The steps."}
    capped_ref = got["Plan"]["properties"]["capped"]["$ref"]  # a rule makes a class of its own, as before
    assert {"maxItems": 3} in got[capped_ref.rsplit("/", 1)[1]]["allOf"]
    assert "PlanSteps" not in got


def test_enum_values_are_read_as_their_schemas_type_only_where_they_read_back_exactly() -> None:
    """`"6"` is an integer and `6` a string where the schema says so; `"007"`, `"--5"`, `"1e3"`, booleans (YAML reads
    `yes` and `true` alike) and values that would then repeat are left as written, and nothing else is warned."""
    cases = {
        "I": ({"type": "integer", "enum": ["6", "-5", "007", "--5", 8], "default": "6"}, [6, -5, "007", "--5", 8], 6),
        "N": ({"type": "number", "enum": ["1.5", "2", "1e3"]}, [1.5, 2, "1e3"], None),
        "S": ({"type": "string", "enum": [1, 2.5, "x", True]}, ["1", "2.5", "x", True], None),
        "B": ({"type": "boolean", "enum": ["true", "false"]}, [True, False], None),
        "Repeats": ({"type": "integer", "enum": ["6", 6]}, ["6", 6], None),
        "Mixed": ({"type": "string", "enum": [{"a": 1}, 6]}, [{"a": 1}, "6"], None),
        "Typed": ({"type": "string", "enum": ["a", "b"]}, ["a", "b"], None),
    }
    diag = Collector("spec.yaml")
    schemas = _schemas_with(diag, {name: schema for name, (schema, _, _) in cases.items()})
    for name, (_, values, default) in cases.items():
        assert schemas[name]["enum"] == values and [type(v) for v in schemas[name]["enum"]] == [type(v) for v in values]
        assert schemas[name].get("default") == default
    assert sorted(d.pointer for d in diag.items) == [f"/components/schemas/{n}/enum" for n in ("B", "I", "Mixed", "N", "S")]


def _schemas_with(diag: Collector, schemas: dict[str, Any]) -> dict[str, Any]:
    """The component schemas after normalising a document of `schemas`, reporting to `diag`."""
    return normalize(_doc(schemas), diag).doc["components"]["schemas"]


def test_a_ref_into_an_all_of_member_that_moved_finds_it_where_it_was_written() -> None:
    """DigitalOcean: `error` is `allOf: [{description}, {properties}]` in an answer, and a component `$ref`s its
    `allOf/1`. Moving the annotating member up shifts the other to `allOf/0`; the `$ref` still finds what it named
    (in the document as written) instead of failing."""
    error = {"allOf": [{"description": "Why it failed."}, {"type": "object", "properties": {"code": {"type": "string"}}}]}
    answer = {"type": "object", "properties": {"error": error}}
    written = "#/paths/~1check/post/responses/200/content/application~1json/schema/properties/error/allOf/1"
    doc = _doc({"Warning": {"type": "object", "properties": {"first": {"$ref": written}}}})
    doc["paths"]["/check"] = {"post": {"operationId": "check", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": answer}}}}}}
    schemas = normalize(doc, Collector("spec.yaml")).doc["components"]["schemas"]
    claimed = schemas["Warning"]["properties"]["first"]["$ref"].rsplit("/", 1)[1]
    assert schemas[claimed] == {"type": "object", "properties": {"code": {"type": "string"}}}
    assert schemas["CheckResponseError"]["description"] == "Why it failed."
