"""The command line: exit codes, messages, check's diff, and nothing written on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from acs_sdkgen.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "outboundbot.yaml"


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Content and mtime of every file under root."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def test_generate_then_check_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh generate passes check; a second generate rewrites nothing."""
    out = tmp_path / "out"
    assert main(["generate", "--spec", str(SPEC), "--out", str(out)]) == 0
    before = _snapshot(out)
    assert main(["check", "--spec", str(SPEC), "--out", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["generate", "--spec", str(SPEC), "--out", str(out)]) == 0
    assert "is up to date: no input changed" in capsys.readouterr().out
    assert main(["generate", "--spec", str(SPEC), "--out", str(out), "--force"]) == 0
    assert "wrote 0 of" in capsys.readouterr().out
    assert _snapshot(out) == before


def test_check_reports_drift_with_a_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Changed, missing and no-longer-produced files are named; a change is shown as a unified diff."""
    out = tmp_path / "out"
    main(["generate", "--spec", str(SPEC), "--out", str(out), "-q"])
    client = out / "pydantic" / "outboundbot" / "_client.py"
    client.write_text(
        client.read_text().replace(
            "def describe_instance(", "def describe_instance_renamed("
        )
    )
    (out / "docs" / "docs" / "models" / "index.md").unlink()
    (out / "docs" / "notes.md").write_text("the user's own file\n")
    capsys.readouterr()
    only = ["--flavor", "pydantic", "--flavor", "typeddict"]
    assert main(["check", "--spec", str(SPEC), "--out", str(out), *only]) == 1
    report = capsys.readouterr().out
    assert f"changed: {out.as_posix()}/pydantic/outboundbot/_client.py" in report
    assert "-    def describe_instance_renamed(" in report
    assert "+    def describe_instance(" in report
    assert "missing: " in report and "docs/docs/models/index.md" in report
    assert "extra:   " in report and "dataclasses/outboundbot_lite/_client.py" in report
    assert "notes.md" not in report, "a file the generator never wrote is not its business"


def test_generate_removes_only_its_own_files_no_longer_produced(tmp_path: Path) -> None:
    """Files of a dropped flavor are removed; the user's files and tool caches are left alone."""
    out = tmp_path / "out"
    main(["generate", "--spec", str(SPEC), "--out", str(out), "-q"])
    (out / "docs" / "notes.md").write_text("mine\n")
    (out / "dataclasses" / "outboundbot_lite" / "helpers.py").write_text("mine\n")
    cache = out / "pydantic" / "outboundbot" / "__pycache__"
    cache.mkdir()
    (cache / "x.pyc").write_bytes(b"\0")
    main(["generate", "--spec", str(SPEC), "--out", str(out), "-q", "--flavor", "pydantic"])
    assert not (out / "dataclasses" / "outboundbot_lite" / "_client.py").exists()
    assert (out / "dataclasses" / "outboundbot_lite" / "helpers.py").read_text() == "mine\n"
    assert (out / "docs" / "notes.md").read_text() == "mine\n"
    assert (cache / "x.pyc").exists()


def test_missing_spec_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing spec exits 2 with a one-line reason and writes nothing."""
    out = tmp_path / "out"
    assert (
        main(["generate", "--spec", str(tmp_path / "nope.yaml"), "--out", str(out)])
        == 2
    )
    err = capsys.readouterr().err
    assert "ERROR nope.yaml: spec file not found" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_invalid_spec_leaves_output_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec that does not validate exits 2 with located errors; the old tree keeps its bytes and mtimes."""
    out = tmp_path / "out"
    main(["generate", "--spec", str(SPEC), "--out", str(out), "-q"])
    before = _snapshot(out)
    bad = tmp_path / "bad.yaml"
    text = SPEC.read_text(encoding="utf-8")
    text = text.replace(
        '$ref: "#/components/schemas/Instance"',
        '$ref: "#/components/schemas/Nowhere"',
        1,
    )
    text = text.replace("operationId: DescribeInstance", "operationId: CreateInstance")
    bad.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["generate", "--spec", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "$ref '#/components/schemas/Nowhere' points to nothing" in err
    assert "bad.yaml:" in err and "/components/schemas/Nowhere" in err
    assert "nothing was written" in err
    assert _snapshot(out) == before


def test_duplicate_operation_id_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Duplicate operationIds are an error with both locations."""
    bad = tmp_path / "dup.yaml"
    bad.write_text(
        SPEC.read_text(encoding="utf-8").replace(
            "operationId: DescribeInstance", "operationId: CreateInstance"
        ),
        encoding="utf-8",
    )
    assert main(["generate", "--spec", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "duplicate operationId 'CreateInstance'" in err
    assert "dup.yaml:" in err


def test_unparsable_yaml_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A YAML syntax error reports the file and line."""
    bad = tmp_path / "broken.yaml"
    bad.write_text("openapi: 3.0.3\ninfo:\n  title: [unclosed\n", encoding="utf-8")
    assert main(["generate", "--spec", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ERROR broken.yaml:") and "not valid YAML/JSON" in err


def test_bad_template_override_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A template override directory that does not exist is refused up front."""
    assert (
        main(
            [
                "generate",
                "--spec",
                str(SPEC),
                "--out",
                str(tmp_path / "o"),
                "--templates",
                str(tmp_path / "nope"),
            ]
        )
        == 2
    )
    assert "template override directory does not exist" in capsys.readouterr().err


def test_flavor_selection_and_option_override(tmp_path: Path) -> None:
    """--flavor picks flavors; --option renames a package and changes its client kinds."""
    out = tmp_path / "out"
    args = [
        "generate",
        "--spec",
        str(SPEC),
        "--out",
        str(out),
        "-q",
        "--flavor",
        "dataclasses",
    ]
    options = [
        "--option",
        "dataclasses.package=obot",
        "--option",
        "dataclasses.clients=sync,async",
    ]
    assert main(args + options) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "dataclasses",
        "docs",
        "manifest.json",
    ]
    package = out / "dataclasses" / "obot"
    assert "class AsyncClient(AsyncAPIClient)" in (package / "_async_client.py").read_text()
    assert "class Client(SyncAPIClient)" in (package / "_client.py").read_text()
    assert '"AsyncClient": "._async_client"' in (package / "__init__.py").read_text()
    assert 'name = "obot"' in (out / "dataclasses" / "pyproject.toml").read_text()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "dataclasses.models=orm",
            "models = 'orm'; choose one of pydantic, dataclasses, typeddict",
        ),
        ("dataclasses.colour=red", "unknown key 'colour'"),
        ("nodot=1", "expected FLAVOR.KEY=VALUE"),
        ("dataclasses.package=not-an-identifier", "is not a valid Python identifier"),
    ],
)
def test_bad_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, message: str
) -> None:
    """A bad flavor option exits 2 with the key named, writing nothing."""
    out = tmp_path / "out"
    args = [
        "generate",
        "--spec",
        str(SPEC),
        "--out",
        str(out),
        "--flavor",
        "dataclasses",
        "--option",
        option,
    ]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_one_field_change_rewrites_only_the_files_it_reaches(tmp_path: Path) -> None:
    """Changing one parameter's description rewrites the clients, that operation's page and the changelog."""
    spec = tmp_path / "outboundbot.yaml"
    spec.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    before = _snapshot(out)
    text = spec.read_text(encoding="utf-8").replace(
        "Instance ID.\n", "The ID of the instance to describe.\n", 1
    )
    spec.write_text(text, encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    after = _snapshot(out)
    rewritten = sorted(p for p in after if after[p][1] != before[p][1])
    changed = sorted(p for p in after if after[p][0] != before[p][0])
    assert rewritten == changed, "only files whose bytes changed are rewritten"
    assert (
        changed
        == [  # the changelog records the documentation change (a compatible change)
            "dataclasses/outboundbot_lite/_async_client.py",
            "dataclasses/outboundbot_lite/_client.py",
            "docs/changelog.json",
            "docs/docs/changelog.md",
            "docs/docs/operations/describe_instance.md",
            "manifest.json",
            "pydantic/outboundbot/_async_client.py",
            "pydantic/outboundbot/_client.py",
            "typeddict/outboundbot_dicts/_async_client.py",
            "typeddict/outboundbot_dicts/_client.py",
        ]
    )


def test_a_renamed_spec_is_not_up_to_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Generated headers name the spec file: the same bytes under another name regenerate those headers."""
    first, second, out = tmp_path / "first.yaml", tmp_path / "second.yaml", tmp_path / "out"
    first.write_bytes(SPEC.read_bytes())
    second.write_bytes(SPEC.read_bytes())
    assert main(["generate", "--spec", str(first), "--out", str(out), "-q"]) == 0
    assert main(["generate", "--spec", str(second), "--out", str(out)]) == 0
    assert "is up to date" not in capsys.readouterr().out
    client = (out / "pydantic" / "outboundbot" / "_client.py").read_text(encoding="utf-8")
    assert "from second.yaml" in client and "first.yaml" not in client


def test_a_generator_bug_exits_3_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unexpected exception is not blamed on the input: exit 3, a message asking for a report, nothing written."""
    from acs_sdkgen.emit import models

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(models, "split_models", broken)
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")  # an earlier test's cached models would skip the bug
    out = tmp_path / "out"
    assert main(["generate", "--spec", str(SPEC), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "acs-sdkgen: internal error: RuntimeError: boom" in err
    assert "This is a bug in acs-sdkgen" in err and "not a problem of your input" in err
    assert not out.exists()


def test_patterns_pydantic_cannot_compile_are_dropped_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`\\p{Print}`, look-arounds and back-references: warned about and left out; the models import and validate."""
    out = tmp_path / "out"
    spec = Path(__file__).with_name("patterns.yaml")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--flavor", "pydantic"]) == 0
    err = capsys.readouterr().err
    for where in ("P/properties/a/pattern", "P/properties/b/pattern", "P/properties/d/items/pattern"):
        assert "WARNING patterns.yaml" in err and where in err
    probe = "import pat.models as m; m.P(a='x', c='abc'); print(m.P.model_fields['c'].metadata)"
    done = subprocess.run(
        [sys.executable, "-c", probe], env={**os.environ, "PYTHONPATH": str(out / "pydantic")}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "^[a-z]+$" in done.stdout, "a pattern pydantic can compile is kept"


def test_patterns_the_openapi_validator_refuses_are_left_to_the_models(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Annex B escapes (`\\{…}`) and POSIX classes that jsonschema-rs refuses: kept where the models compile
    them, else dropped with a warning, never an error."""
    out = tmp_path / "out"
    spec = Path(__file__).with_name("patterns.yaml")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--flavor", "pydantic"]) == 0
    err = capsys.readouterr().err
    assert "ERROR" not in err
    assert "WARNING patterns.yaml" in err and "P/properties/g/pattern" in err
    assert "P/properties/e/pattern" not in err and "P/properties/f/pattern" not in err
    probe = (
        "import pat.models as m, pydantic\n"
        "m.P(e='{config-name}', f='ab_/', g='anything')\n"
        "for name in ('e', 'f'):\n"
        "    try:\n"
        "        m.P(**{name: '!'})\n"
        "    except pydantic.ValidationError:\n"
        "        continue\n"
        "    raise SystemExit(f'{name} accepted a value its pattern forbids')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env={**os.environ, "PYTHONPATH": str(out / "pydantic")}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr + done.stdout


def test_refs_into_schemas_written_inline_follow_them_when_they_are_named(tmp_path: Path) -> None:
    """A `$ref` into an inline response schema (or a component's inline property) still resolves once named.

    `Summary` requires a property that is such a `$ref` (the read/write-only pass follows it).
    """
    out = tmp_path / "out"
    spec = Path(__file__).with_name("ref_into_inline.yaml")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--flavor", "pydantic", "-q"]) == 0
    probe = (
        "import refs_into_inline as p, refs_into_inline.models as m, inspect;"
        "print(inspect.signature(p.Client.print_again).parameters['body'].annotation);"
        "print(m.Holder.model_fields['again'].annotation);"
        "print(m.Summary.model_fields['first'].annotation)"
    )
    env = {**os.environ, "PYTHONPATH": str(out / "pydantic")}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "ListPrintoutsResponsePrintoutItem" in done.stdout and "HolderInner" in done.stdout
    assert "Printout" in done.stdout.splitlines()[2]


def test_a_title_starting_with_a_digit_and_a_ulid_field_still_give_an_importable_sdk(tmp_path: Path) -> None:
    """`1Forge …` becomes the package `api_1_forge_…`; `format: ulid` is a plain string (no `ulid` package needed)."""
    out = tmp_path / "out"
    spec = Path(__file__).with_name("digit_title_ulid.yaml")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--flavor", "pydantic", "-q"]) == 0
    (package,) = [p.name for p in (out / "pydantic").iterdir() if (p / "__init__.py").is_file()]  # beside tests/
    assert package == "api_1_forge_finance_apis"
    probe = f"import {package}.models as m; print(m.R(id='01ARZ3NDEKTSV4RRFFQ69G5FAV').id)"
    env = {**os.environ, "PYTHONPATH": str(out / "pydantic")}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def test_fields_datamodel_code_generator_would_rename_keep_their_wire_names_in_every_flavor(tmp_path: Path) -> None:
    """`_links`, `imagem1.jpg`, keywords behind an `allOf`, a component that is only a `$ref`, an array with
    properties: every flavor generates, and each field is read from and written to its wire name."""
    out = tmp_path / "out"
    spec = Path(__file__).with_name("renamed_fields.yaml")
    flavors = ["--flavor", "pydantic", "--flavor", "dataclasses", "--flavor", "typeddict"]
    assert main(["generate", "--spec", str(spec), "--out", str(out), *flavors, "-q"]) == 0
    wire = {"_links": {"self": "s"}, "_embedded": "e", "imagem1.jpg": "i", "from": "f", "APIs": "a"}
    probes = {
        "pydantic": (
            "import renamed_fields.models as m;"
            f"t = m.Alias.model_validate({wire!r});"
            "assert issubclass(m.Alias, m.Thing);"
            "assert (t.links.self, t.embedded, t.imagem1_jpg, t.from_, t.apis) == ('s', 'e', 'i', 'f', 'a');"
            f"assert t.model_dump(by_alias=True, exclude_none=True) == {wire!r};"
            "assert m.Plain.model_validate({'_links': 'l'}).links == 'l';"
            "assert m.Listy.model_fields['root'].annotation == list[str]"
        ),
        "dataclasses": (
            "import renamed_fields_lite.models as m; from renamed_fields_lite._wire import REGISTRY as R;"
            "from renamed_fields_lite._runtime.wire import decode, encode;"
            f"t = decode(m.Alias, {wire!r}, R);"
            "assert isinstance(t, m.Thing) and isinstance(t.links, m.ThingLinks);"
            "assert (t.links.self, t.embedded, t.imagem1_jpg, t.from_, t.apis) == ('s', 'e', 'i', 'f', 'a');"
            f"assert encode(t, R) == {wire!r};"
            "assert decode(m.Wrapped, {'class': 'c'}, R).class_ == 'c'"
        ),
        "typeddict": (
            "import renamed_fields_dicts.models as m; keys = lambda c: c.__required_keys__ | c.__optional_keys__;"
            f"assert keys(m.Thing) == keys(m.Alias) == {set(wire)!r};"
            "assert keys(m.Plain) == {'_links', 'name'};"
            "assert keys(m.Wrapped) == {'class', 'not-ident'}"
        ),
    }
    for flavor, probe in probes.items():
        env = {**os.environ, "PYTHONPATH": str(out / flavor)}
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, f"{flavor}: {done.stderr}"


def test_the_default_of_a_union_or_a_named_scalar_type_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The default of an `anyOf` or a named string (pydantic's root model is not the bare value) is left out, reported."""
    out = tmp_path / "out"
    spec = Path(__file__).with_name("union_default.yaml")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--flavor", "pydantic"]) == 0
    err = capsys.readouterr().err
    assert "Role/properties/district/default: default '' of a union is left out" in err
    assert "schemas/Name/default: default '' of a named string schema is left out" in err
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), "-p", "union_default"],
        cwd=out / "pydantic",
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    probe = "import union_default.models as m; r = m.Role(); print(r.district, repr(r.title), r.name)"
    env = {**os.environ, "PYTHONPATH": str(out / "pydantic")}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "None '' None", done.stderr


def test_null_is_accepted_where_the_spec_allows_it_and_only_there(tmp_path: Path) -> None:
    """Required nullable fields (a plain one, an `allOf` of an enum, a `$ref` with `nullable` beside it) take null in
    every flavor, and the docs say so; a required field that is not nullable refuses it; a `default: null` beside
    no `nullable` leaves an optional field."""
    out = tmp_path / "out"
    spec = Path(__file__).with_name("nullable.yaml")
    flavors = ["--flavor", "pydantic", "--flavor", "dataclasses", "--flavor", "typeddict"]
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q", *flavors]) == 0
    answer = "{'title': 't', 'state': None, 'due': None, 'owner': None}"
    probes = {
        "pydantic": (
            "import pydantic, nullable_fields.models as m\n"
            f"t = m.Task.model_validate({answer}); assert (t.state, t.due, t.note, t.retries) == (None, None, None, 3), t\n"
            "try:\n    m.Task.model_validate({**" + answer + ", 'title': None})\n"
            "except pydantic.ValidationError:\n    pass\nelse:\n    raise SystemExit('a null title was accepted')"
        ),
        "dataclasses": (
            "from nullable_fields_lite.models import Task\nfrom nullable_fields_lite._runtime.wire import decode\n"
            "from nullable_fields_lite._wire import REGISTRY\n"
            f"t = decode(Task, {answer}, REGISTRY); assert (t.state, t.due, t.note, t.retries) == (None, None, None, 3), t"
        ),
        "typeddict": "import typing, nullable_fields_dicts.models as m\nprint(typing.get_type_hints(m.Task))",
    }
    for flavor, probe in probes.items():
        env = {**os.environ, "PYTHONPATH": str(out / flavor)}
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
        assert done.returncode == 0, flavor + done.stderr + done.stdout
    hints = done.stdout
    assert "'due': str | None" in hints and "'title': <class 'str'>" in hints and "'state': typing.Optional[" in hints
    page = (out / "docs" / "docs" / "models" / "Task.md").read_text()
    assert "| `owner`<br>`owner` | [Person](Person.md) or null | **yes** | Who works on it. |" in page, page


def test_a_reader_that_stops_reading_ends_the_listing_not_the_run(tmp_path: Path) -> None:
    """`generate … | head`: the reader closes the pipe before the listing of written files; the files are written,
    and the run says nothing of an internal error (it ends as commands ended by SIGPIPE do, 141)."""
    out = tmp_path / "out"
    env = {**os.environ, "ACS_SDKGEN_CACHE_DIR": "off"}
    command = [sys.executable, "-m", "acs_sdkgen", "generate", "--spec", str(SPEC), "--out", str(out), "--flavor", "pydantic"]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    assert run.stdout is not None and run.stderr is not None
    run.stdout.close()  # before the run prints anything
    err = run.stderr.read().decode()
    assert run.wait(timeout=300) == 141, err
    assert "internal error" not in err
    assert (out / "manifest.json").is_file() and (out / "pydantic" / "pyproject.toml").is_file()


def test_the_command_ends_with_its_exit_code_and_its_whole_listing(tmp_path: Path) -> None:
    """`python -m acs_sdkgen` ends without tearing the interpreter down: its listing is still flushed whole, and its
    exit code is the command's (0 written, 1 drift, 2 bad input)."""
    out = tmp_path / "out"
    env = {**os.environ, "ACS_SDKGEN_CACHE_DIR": "off"}
    command = [sys.executable, "-m", "acs_sdkgen"]
    args = ["--spec", str(SPEC), "--out", str(out), "--flavor", "pydantic"]
    written = subprocess.run([*command, "generate", *args], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    listed = written.stdout.splitlines()
    assert listed[0].startswith("wrote ") and len(listed) > 20 and "  manifest.json" in listed
    (out / "pydantic" / "README.md").write_text("changed\n", encoding="utf-8")
    checked = subprocess.run([*command, "check", *args], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert checked.returncode == 1 and "is stale" in checked.stderr
    missing = subprocess.run([*command, "generate", "--spec", str(tmp_path / "none.yaml")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert missing.returncode == 2 and "none.yaml" in missing.stderr
