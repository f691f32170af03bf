"""The CLI follows the conventions of Python tools: the nearest pyproject.toml upwards, paths relative to
it, unknown keys and flavors named with the near match, a missing --config file refused, help that
lists flavors and option keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from acs_sdkgen.cli import main
from acs_sdkgen.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
SPEC_TEXT = (ROOT / "spec" / "outboundbot.yaml").read_text()


def project(tmp_path: Path, table: str) -> Path:
    """A project with `table` under [tool.acs-sdkgen] and the spec at spec/api.yaml."""
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "api.yaml").write_text(SPEC_TEXT)
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[tool.acs-sdkgen]\n{table}')
    return tmp_path


def test_nearest_configuration_upwards_with_paths_relative_to_it(tmp_path: Path) -> None:
    """From a nested directory the project's table is found; spec and out resolve against its folder."""
    root = project(tmp_path, 'spec = "spec/api.yaml"\nout = "sdk"\n')
    nested = root / "src" / "deep"
    nested.mkdir(parents=True)
    config = load_config(cwd=nested)
    assert config.spec == root / "spec" / "api.yaml"
    assert config.out == root / "sdk"


def test_a_pyproject_without_our_table_is_passed_over(tmp_path: Path) -> None:
    """A nearer pyproject.toml with no [tool.acs-sdkgen] does not hide the one above it."""
    root = project(tmp_path, 'spec = "spec/api.yaml"\n')
    inner = root / "packages" / "web"
    inner.mkdir(parents=True)
    (inner / "pyproject.toml").write_text('[project]\nname = "web"\n')
    assert load_config(cwd=inner).spec == root / "spec" / "api.yaml"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('spce = "spec/api.yaml"\n', "unknown key 'spce' (did you mean 'spec'?)"),
        ('flavors = ["pydanitc"]\n', "unknown flavor 'pydanitc' (did you mean 'pydantic'?)"),
        ('[tool.acs-sdkgen.flavor.pydantic]\npackge = "x"\n', "flavor.pydantic: unknown key 'packge' (did you mean 'package'?)"),
        ("flavors = []\n", "flavors must be a non-empty list"),
        ("out = 3\n", "out must be a string"),
    ],
)
def test_bad_configuration_names_the_key_and_the_near_match(tmp_path: Path, table: str, message: str) -> None:
    """Each mistake is an error with the file, the key and a suggestion."""
    root = project(tmp_path, table)
    with pytest.raises(ConfigError) as caught:
        load_config(cwd=root)
    assert message in str(caught.value) and str(root / "pyproject.toml") in str(caught.value)


def test_cli_flavor_and_option_typos_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--flavor dataclass` and `--option pydantic.pakage=x` exit 2 with the near match."""
    spec = project(tmp_path, "")
    assert main(["generate", "--config", str(spec / "pyproject.toml"), "--spec", str(spec / "spec/api.yaml"), "--flavor", "dataclass"]) == 2
    assert "unknown flavor 'dataclass' (did you mean 'dataclasses'?)" in capsys.readouterr().err
    assert main(["generate", "--spec", str(spec / "spec/api.yaml"), "--option", "pydantic.pakage=x"]) == 2
    assert "unknown key 'pakage' (did you mean 'package'?)" in capsys.readouterr().err


def test_a_custom_flavor_needs_its_models_kind(tmp_path: Path) -> None:
    """A flavor name of one's own is fine once its table says which models it uses."""
    root = project(tmp_path, 'flavors = ["slim"]\n\n[tool.acs-sdkgen.flavor.slim]\nmodels = "dataclasses"\nclients = ["sync"]\n')
    (flavor,) = load_config(cwd=root).resolve("outboundbot")
    assert (flavor.name, flavor.models, flavor.package) == ("slim", "dataclasses", "outboundbot_slim")


def test_missing_config_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--config nowhere.toml` is refused, not silently replaced by defaults."""
    assert main(["generate", "--config", str(tmp_path / "nowhere.toml")]) == 2
    assert f"--config {tmp_path / 'nowhere.toml'}: no such file" in capsys.readouterr().err


def test_no_configuration_and_no_spec_says_how_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outside any project the message shows --spec and the table to add; nothing is written."""
    monkeypatch.chdir(tmp_path)
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("acs-sdkgen: error: no spec to generate from: pass --spec")
    assert "[tool.acs-sdkgen]" in err and "outboundbot" not in err
    assert list(tmp_path.iterdir()) == []


def test_help_lists_flavors_and_option_keys(capsys: pytest.CaptureFixture[str]) -> None:
    """`acs-sdkgen generate --help` names every built-in flavor and every option key."""
    with pytest.raises(SystemExit) as done:
        main(["generate", "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    for word in ("pydantic", "dataclasses", "typeddict", "package", "distribution", "version", "models", "clients", "--overwrite"):
        assert word in shown


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`acs-sdkgen --version` prints the installed version."""
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("acs-sdkgen 0.1.0")
