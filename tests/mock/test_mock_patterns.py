"""Generated strings follow the schema's `pattern` (real specs' patterns), the same for the same seed; failures are logged."""

from __future__ import annotations

import json
import logging
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from acs_sdkgen.mock import serve
from acs_sdkgen.mock.schemas import scalar

# Patterns as real specs write them, with where they are from.
REAL = [
    r"\d{4}-\d{2}",  # a year-month, unanchored
    r"^\d{4}-\d{2}-\d{2}$",  # a date as a string
    r"^[a-zA-Z0-9_-]{1,64}$",  # names and slugs (GitHub, Stripe)
    r"^(active|inactive|pending)$",  # alternation of states
    r"^[A-Z]{2}$",  # ISO 3166 country code
    r"^\+?[1-9]\d{1,14}$",  # E.164 phone number (Twilio)
    r"^rg-[a-z0-9]+$",  # Alibaba Cloud resource group ID
    r"^[^/]+$",  # a path segment: a negated class
    r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$",  # a time of day
    r"^[0-9a-f]{40}$",  # a git commit SHA
    r"^(\w+\.)*\w+@example\.(com|org)$",  # groups, a star, an escaped dot
    r"^[\w.-]+\s?\S*$",  # categories in a class
]


@pytest.mark.parametrize("pattern", REAL)
def test_generated_string_matches_the_pattern(pattern: str) -> None:
    """Every draw of many seeds matches (searched, as JSON Schema matches patterns)."""
    for seed in range(25):
        value = scalar({"type": "string", "pattern": pattern}, "string", random.Random(seed))
        assert re.search(pattern, value), (pattern, seed, value)


def test_length_bounds_are_kept_with_the_pattern() -> None:
    """A pattern with maxLength and minLength gives strings within both."""
    schema = {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 3}
    values = [scalar(schema, "string", random.Random(seed)) for seed in range(25)]
    assert all(re.fullmatch("[a-z]{2,3}", v) for v in values), values


def test_a_format_value_that_fits_the_pattern_is_kept() -> None:
    """A date that matches its pattern stays a date; a date pattern on a date-time gives a pattern match."""
    date = scalar({"type": "string", "format": "date", "pattern": r"^\d{4}-"}, "string", random.Random(1))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
    odd = scalar({"type": "string", "format": "date-time", "pattern": r"^\d{4}-\d{2}$"}, "string", random.Random(1))
    assert re.fullmatch(r"\d{4}-\d{2}", odd)


def test_same_seed_same_string_in_any_process() -> None:
    """Deterministic with the seed, whatever the hash seed of the interpreter (negated classes, \\W)."""
    code = (
        "import random, json; from acs_sdkgen.mock.schemas import scalar; "
        "print(json.dumps([scalar({'type': 'string', 'pattern': p}, 'string', random.Random(7)) for p in ('^[^a-z]{6}$', r'^\\W{6}$', '^[a-z0-9]{6}$')]))"
    )
    outputs = set()
    for hash_seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1, outputs
    values = json.loads(outputs.pop())
    assert re.fullmatch("[^a-z]{6}", values[0]) and re.fullmatch(r"\W{6}", values[1]) and re.fullmatch("[a-z0-9]{6}", values[2])


def test_patterns_python_cannot_compile_fall_back_and_say_so(caplog: pytest.LogCaptureFixture) -> None:
    """An ECMAScript-only pattern (named group `(?<y>…)`) gives the plain value and one log line, not an error."""
    schema = {"type": "string", "pattern": r"^(?<year>\d{4})$"}
    with caplog.at_level(logging.WARNING, logger="acs_sdkgen.mock"):
        first = scalar(schema, "string", random.Random(1))
        scalar(schema, "string", random.Random(2))
    assert re.fullmatch("[a-z]{8}", first)
    said = [r.getMessage() for r in caplog.records if "(?<year>" in r.getMessage()]
    assert len(said) == 1 and "is not a Python regular expression" in said[0] and "do not follow it" in said[0]


def test_unsatisfiable_pattern_falls_back_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    """A pattern whose matches are all shorter than minLength: the plain value, and the log says why."""
    schema = {"type": "string", "pattern": "^zz$", "minLength": 5}
    with caplog.at_level(logging.WARNING, logger="acs_sdkgen.mock"):
        value = scalar(schema, "string", random.Random(1))
    assert len(value) >= 5
    assert any("'^zz$' gave no match within length 5.." in r.getMessage() for r in caplog.records), caplog.text


SPEC = """
openapi: 3.0.3
info: {title: Codes, version: "1.0.0"}
servers: [{url: "https://codes.example.com"}]
paths:
  /periods/{period}:
    get:
      operationId: getPeriod
      parameters:
        - {name: period, in: path, required: true, schema: {type: string, pattern: '^\\d{4}-\\d{2}$'}}
        - {name: region, in: query, required: true, schema: {type: string, pattern: '^[a-z]{2}-[a-z]+-\\d$'}}
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema:
                type: object
                required: [id, sha]
                properties:
                  id: {type: string, pattern: '^per-[0-9a-f]{8}$'}
                  sha: {type: string, pattern: '^[0-9a-f]{40}$'}
"""


def test_mock_requests_and_answers_follow_patterns(tmp_path: Path) -> None:
    """The example request's values fit the patterns (the mock's own checks accept them), and so does the answer."""
    import http.client

    path = tmp_path / "codes.yaml"
    path.write_text(SPEC, encoding="utf-8")
    with serve(path, seed=3, stateful=False) as server:
        params, _ = server.example_request("getPeriod")
        values = {name: value for name, _, value in params}
        assert re.fullmatch(r"\d{4}-\d{2}", values["period"]) and re.fullmatch(r"[a-z]{2}-[a-z]+-\d", values["region"])
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", f"/periods/{values['period']}?region={values['region']}")
        response = connection.getresponse()
        answer = json.loads(response.read())
        connection.close()
    assert response.status == 200, answer
    assert re.fullmatch("per-[0-9a-f]{8}", answer["id"]) and re.fullmatch("[0-9a-f]{40}", answer["sha"])


def test_an_example_that_does_not_fit_its_schema_is_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A spec's example the mock itself would refuse (a date-time for a `date`) is not sent: a fitting value is, and logged."""
    path = tmp_path / "codes.yaml"
    text = SPEC.replace(r"schema: {type: string, pattern: '^\d{4}-\d{2}$'}", "example: '2025-10-15T13:50:20Z', schema: {type: string, format: date}")
    assert text != SPEC
    path.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="acs_sdkgen.mock"), serve(path, seed=3, stateful=False) as server:
        params, _ = server.example_request("getPeriod")
    period = next(value for name, _, value in params if name == "period")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", period), period
    assert "the spec's example of getPeriod parameter period does not fit its schema" in caplog.text
