"""No user data is ever lost: `generate` touches only the files its own manifest lists, in a real git
repository as the user's directory; foreign, escaping and concurrent cases are refused with exit 2."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from acs_sdkgen.cli import main
from acs_sdkgen.config import Config
from acs_sdkgen.output import files as output
from acs_sdkgen.pipeline import Result, run
from tests.support.git import git

ROOT = Path(__file__).resolve().parents[2]
SPEC_TEXT = (ROOT / "spec" / "outboundbot.yaml").read_text()


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root, .git included, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A user's git repository: README, code, the spec, one commit."""
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "README.md").write_text("# my service\n")
    (root / "app" / "main.py").write_text("print('mine')\n")
    (root / "api.yaml").write_text(SPEC_TEXT)
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "mine", cwd=root)
    return root


def generate(repo: Path, out: str, *extra: str) -> int:
    """`acs-sdkgen generate` of the repo's spec into `out` (relative to the repo)."""
    return main(["generate", "--spec", str(repo / "api.yaml"), "--out", str(repo / out), "-q", *extra])


def test_out_is_the_users_repository_root_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--out .` in a repository with no manifest of ours: exit 2, not one byte changed, .git included."""
    before = tree(repo)
    assert generate(repo, ".") == 2
    err = capsys.readouterr().err
    assert "is not empty and holds no manifest.json of acs-sdkgen" in err and "--overwrite" in err
    assert tree(repo) == before


@pytest.mark.parametrize("out", ["README.md", "README.md/sdk"])
def test_out_that_is_or_lies_under_a_file_is_an_input_error(
    repo: Path, out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out` naming a file, or a folder below one: exit 2 naming the file in the way, the file untouched."""
    before = tree(repo)
    assert generate(repo, out) == 2
    err = capsys.readouterr().err
    assert f"{repo / 'README.md'} is a file, not a directory" in err and "internal error" not in err
    assert tree(repo) == before


def test_overwrite_writes_beside_the_users_files_and_never_deletes_them(repo: Path) -> None:
    """With --overwrite the SDK lands beside the user's files; a later run with fewer flavors removes only ours."""
    before = tree(repo)
    assert generate(repo, ".", "--overwrite") == 0
    after = tree(repo)
    assert all(after[path] == data for path, data in before.items()), "a user file changed"
    assert git("status", "--porcelain", "--untracked-files=no", cwd=repo) == ""
    assert (repo / "pydantic" / "outboundbot" / "_client.py").is_file()
    assert generate(repo, ".", "--flavor", "pydantic") == 0
    assert not (repo / "typeddict").exists() and (repo / "pydantic").is_dir()
    final = tree(repo)
    assert all(final[path] == data for path, data in before.items())
    git("fsck", "--no-progress", cwd=repo)


def test_users_file_inside_a_generated_package_survives(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`sdk/pydantic/outboundbot/helpers.py`, added by the user, is neither deleted nor reported as written."""
    assert generate(repo, "sdk") == 0
    helper = repo / "sdk" / "pydantic" / "outboundbot" / "helpers.py"
    helper.write_text("# mine\n")
    (repo / "api.yaml").write_text(SPEC_TEXT.replace("Query the information", "Read the information"))
    capsys.readouterr()
    assert main(["generate", "--spec", str(repo / "api.yaml"), "--out", str(repo / "sdk")]) == 0
    printed = capsys.readouterr().out
    assert helper.read_text() == "# mine\n"
    assert "helpers.py" not in printed and "_client.py" in printed


def test_non_empty_out_without_manifest_is_refused(repo: Path) -> None:
    """`--out sdk` where sdk/helpers.py is the user's own file: refused, file intact."""
    (repo / "sdk").mkdir()
    (repo / "sdk" / "helpers.py").write_text("# mine\n")
    assert generate(repo, "sdk") == 2
    assert sorted(p.name for p in (repo / "sdk").iterdir()) == ["helpers.py"]


def test_a_users_file_where_the_generator_would_write_is_refused_then_overwritten_on_request(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path the generator is about to create but does not own is named; --overwrite replaces it."""
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0
    mine = repo / "sdk" / "typeddict" / "README.md"
    mine.parent.mkdir()
    mine.write_text("mine\n")
    capsys.readouterr()
    assert generate(repo, "sdk") == 2
    assert "typeddict/README.md" in capsys.readouterr().err and mine.read_text() == "mine\n"
    assert not (repo / "sdk" / "dataclasses").exists(), "nothing was half-written"
    assert generate(repo, "sdk", "--overwrite") == 0
    assert mine.read_text() != "mine\n"


@pytest.mark.parametrize("listed", ["../outside.txt", "/etc/hostname", "link/escaped.txt", ".git/config", "a\\b"])
def test_manifest_naming_a_path_outside_out_is_refused(
    repo: Path, listed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A manifest that lists `../x`, an absolute path, a path through a symlink out, or .git is refused."""
    assert generate(repo, "sdk") == 0
    (repo / "outside.txt").write_text("keep\n")
    (repo / "sdk" / "link").symlink_to(repo)
    manifest = repo / "sdk" / "manifest.json"
    recorded = json.loads(manifest.read_text())
    recorded["files"][listed] = "0" * 64
    manifest.write_text(json.dumps(recorded))
    before = tree(repo)
    assert generate(repo, "sdk", "--force", "--flavor", "pydantic") == 2
    assert "refusing to touch it" in capsys.readouterr().err
    assert tree(repo) == before
    assert (repo / "outside.txt").read_text() == "keep\n"


def test_a_manifest_json_that_is_not_ours_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A user's own manifest.json in --out is not taken for ours."""
    (repo / "sdk").mkdir()
    (repo / "sdk" / "manifest.json").write_text('{"name": "web app", "files": {"index.html": ""}}')
    assert generate(repo, "sdk", "--overwrite") == 2
    assert "was not written by acs-sdkgen" in capsys.readouterr().err


def test_generated_path_through_a_symlink_out_is_refused(tmp_path: Path) -> None:
    """A directory inside --out that links outside it is never written through."""
    outside, out = tmp_path / "outside", tmp_path / "out"
    outside.mkdir()
    out.mkdir()
    (out / "docs").symlink_to(outside)
    with pytest.raises(output.OutputError, match="resolves outside"):
        output.write_output(out, {"docs/index.md": b"x", "manifest.json": b"{}"}, overwrite=True)
    assert list(outside.iterdir()) == []


def test_the_spec_itself_is_never_written(tmp_path: Path) -> None:
    """A generated path that is the run's own input is refused."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("spec\n")
    with pytest.raises(output.OutputError, match="is an input of this run"):
        output.write_output(out, {"README.md": b"x"}, overwrite=True, protected=[out / "README.md"])
    assert (out / "README.md").read_text() == "spec\n"


def test_two_runs_into_one_directory_cannot_interleave(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """While one run holds the directory, another is refused with a message that says so."""
    out = repo / "sdk"
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with output.locked(out):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        assert generate(repo, "sdk") == 2
        assert "another acs-sdkgen run is writing to" in capsys.readouterr().err
    finally:
        release.set()
        holder.join()
    assert generate(repo, "sdk") == 0


def test_concurrent_processes_leave_one_consistent_tree(repo: Path) -> None:
    """Two real `generate` processes at once: each succeeds or is refused by the lock; `check` passes after."""
    command = [sys.executable, "-m", "acs_sdkgen", "generate", "--spec", "api.yaml", "--out", "sdk", "-q", "--force", "--flavor", "pydantic"]
    procs = [subprocess.Popen(command, cwd=repo, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(300), p.stderr.read() if p.stderr else "") for p in procs]
    assert any(code == 0 for code, _ in results), results
    assert all(code == 0 or "another acs-sdkgen run" in err for code, err in results), results
    assert main(["check", "--spec", str(repo / "api.yaml"), "--out", str(repo / "sdk"), "--flavor", "pydantic"]) == 0


def test_a_run_interrupted_while_swapping_files_still_owns_them(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash in the middle of the swap leaves a manifest that owns both generations' files; the next run heals."""
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0
    real_replace, calls = os.replace, []

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(dst)
        if len(calls) == 5:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", failing_replace)
    with pytest.raises(output.OutputError, match="stopped part-way: disk full.*run generate again"):
        output.write_output(repo / "sdk", _files_for(repo, ["pydantic", "typeddict"]))
    monkeypatch.undo()
    assert not [p for p in os.listdir(repo / "sdk") if p.startswith(output.STAGING)]  # nor what was not swapped in
    owned = output.owned_files(repo / "sdk")
    assert owned is not None and any(p.startswith("typeddict/") for p in owned)
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0
    assert not (repo / "sdk" / "typeddict").exists()
    assert main(["check", "--spec", str(repo / "api.yaml"), "--out", str(repo / "sdk"), "--flavor", "pydantic", "-q"]) == 0


def test_a_failure_while_staging_leaves_the_previous_tree_as_it_was(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """New content is staged first: when writing one file fails, no file of the tree has changed, and neither the
    staging folder nor a folder made for the new files remains."""
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0
    before = tree(repo / "sdk")
    real_stage, calls = output._stage, []

    def failing_stage(staging: str, relative: str, data: bytes, folders: set[str]) -> str:
        calls.append(relative)
        if len(calls) == 40:
            raise OSError("disk full")
        return real_stage(staging, relative, data, folders)

    monkeypatch.setattr(output, "_stage", failing_stage)
    with pytest.raises(output.OutputError, match="disk full; nothing was changed there"):
        output.write_output(repo / "sdk", _files_for(repo, ["pydantic", "typeddict"]))
    monkeypatch.undo()
    assert len(calls) == 40 and tree(repo / "sdk") == before
    assert not (repo / "sdk" / "typeddict").exists()


def test_a_full_disk_is_reported_as_such_not_as_a_bug(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A write that the system refuses is an error of the output (exit 2) naming the cause and the file, and the
    output holds what it held."""
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0
    before = tree(repo / "sdk")

    def full(staging: str, relative: str, data: bytes, folders: set[str]) -> str:
        raise OSError(errno.ENOSPC, "No space left on device", os.path.join(staging, relative))

    monkeypatch.setattr(output, "_stage", full)
    capsys.readouterr()
    assert generate(repo, "sdk", "--flavor", "pydantic", "--flavor", "typeddict") == 2
    err = capsys.readouterr().err
    assert "error: cannot write into" in err and "No space left on device" in err and "internal error" not in err
    assert tree(repo / "sdk") == before


def test_an_unreadable_file_of_the_output_is_reported_as_such(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file of the output that cannot be read while comparing is an error of the output (exit 2), not a bug."""
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0
    before = tree(repo / "sdk")

    def denied(path: str) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", path)

    monkeypatch.setattr(output, "_read", denied)
    capsys.readouterr()
    assert generate(repo, "sdk", "--flavor", "pydantic", "--force") == 2
    err = capsys.readouterr().err
    assert "error: cannot read what" in err and "Permission denied" in err and "internal error" not in err
    monkeypatch.undo()
    assert tree(repo / "sdk") == before


def test_an_output_needing_no_change_is_not_written_to(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regenerating an up-to-date output (`--force` renders everything again) makes not even a staging folder, so
    an output the user cannot write to stays usable."""
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0

    def refused(*args: object, **kwargs: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied", str(repo / "sdk"))

    monkeypatch.setattr(output.tempfile, "mkdtemp", refused)
    assert generate(repo, "sdk", "--flavor", "pydantic", "--force") == 0


def test_a_first_generation_swaps_new_folders_in_whole_and_stops_at_a_file_in_the_way(tmp_path: Path) -> None:
    """New folders arrive complete with their files and modes; a file where a folder must go stops the run before
    anything is written, and no staging folder is left either way."""
    root = tmp_path / "out"
    root.mkdir()
    files = {"pkg/sub/a.py": b"a = 1\n", "pkg/b.py": b"b = 2\n", "docs/index.md": b"# x\n", output.MANIFEST: b"{}"}
    assert output.write_tree(root, files, set()) == sorted(files)
    (tmp_path / "probe").write_bytes(b"")  # a file made the usual way, for its mode
    assert tree(root) == files and _mode(root / "pkg" / "b.py") == _mode(tmp_path / "probe")
    blocked = tmp_path / "in-the-way"
    blocked.mkdir()
    (blocked / "pkg").write_bytes(b"mine")
    with pytest.raises(output.OutputError, match="is a file, not a folder"):
        output.write_tree(blocked, {"pkg/b.py": b"b = 2\n", "new/c.py": b"c = 3\n"}, set())
    assert tree(blocked) == {"pkg": b"mine"} and os.listdir(blocked) == ["pkg"]
    assert not [p for p in os.listdir(root) if p.startswith(output.STAGING)]


def test_a_stale_file_of_ours_gives_way_to_a_folder_and_a_folder_stops_a_file(tmp_path: Path) -> None:
    """A file the last generation wrote, where this one needs a folder, is replaced by it; a folder where a file
    must go stops the run before anything is written (it may hold the user's files)."""
    root = tmp_path / "out"
    root.mkdir()
    output.write_tree(root, {"a": b"old\n", "keep.py": b"k = 1\n", output.MANIFEST: b"{}"}, set())
    files = {"a/b.py": b"b = 2\n", "keep.py": b"k = 1\n", output.MANIFEST: b"{ }"}
    assert output.write_tree(root, files, {"a", "keep.py", output.MANIFEST}) == ["a", "a/b.py", output.MANIFEST]
    assert tree(root) == files
    (root / "c").mkdir()
    (root / "c" / "mine.txt").write_bytes(b"mine")
    with pytest.raises(output.OutputError, match="c: it is a folder"):
        output.write_tree(root, {**files, "c": b"c = 3\n", "d.py": b"d = 4\n"}, set(files))
    assert tree(root) == {**files, "c/mine.txt": b"mine"}
    assert not [p for p in os.listdir(root) if p.startswith(output.STAGING)]


def test_an_unreadable_output_is_reported_by_check_and_generate(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check` that cannot read a file of the output, and `generate` that cannot read its manifest, say so (exit 2)."""
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0

    def denied(path: str) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", path)

    monkeypatch.setattr(output, "_read", denied)
    capsys.readouterr()
    assert main(["check", "--spec", str(repo / "api.yaml"), "--out", str(repo / "sdk"), "-q", "--flavor", "pydantic"]) == 2
    err = capsys.readouterr().err
    assert "error: cannot read what" in err and "Permission denied" in err and "internal error" not in err
    monkeypatch.undo()
    real = Path.read_bytes

    def manifest_denied(path: Path) -> bytes:
        if path.name == output.MANIFEST:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", manifest_denied)
    assert generate(repo, "sdk", "--flavor", "pydantic", "--force") == 2
    err = capsys.readouterr().err
    assert f"error: cannot read {repo / 'sdk' / output.MANIFEST}" in err and "internal error" not in err


def test_what_a_run_read_of_the_output_is_not_trusted_once_another_run_wrote_there(repo: Path) -> None:
    """A run reads the output beside its work (`snapshot`); when another run wrote there meanwhile, the output is
    read again before writing, so the tree ends as this run's files, not as a mix of both runs'."""
    first = _run_for(repo, ["pydantic"])
    output.write_output(repo / "sdk", first.files)
    before = output.snapshot(repo / "sdk")
    assert before is not None and before.digests == first.digests
    spec = repo / "api.yaml"
    spec.write_text(SPEC_TEXT.replace("Instance ID.\n", "The ID of the instance.\n", 1))
    second = _run_for(repo, ["pydantic"])
    assert output.write_output(repo / "sdk", second.files)  # the other run: the clients and a docs page change
    changed = output.write_output(repo / "sdk", first.files, digests=first.digests, before=before)
    assert "pydantic/outboundbot/_client.py" in changed
    assert tree(repo / "sdk") == first.files


def test_generate_restores_generated_files_edited_or_removed_by_hand(repo: Path) -> None:
    """Files of the output changed or deleted since the last run are found by the run's reading of the output, and
    written again, also those the spec's edit does not reach."""
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0
    expected = tree(repo / "sdk")
    (repo / "sdk" / "pydantic" / "outboundbot" / "errors.py").write_text("# mine\n")
    (repo / "sdk" / "pydantic" / "README.md").unlink()
    spec = repo / "api.yaml"
    spec.write_text(SPEC_TEXT.replace("Instance ID.\n", "The ID of the instance.\n", 1))
    assert generate(repo, "sdk", "--flavor", "pydantic") == 0
    after = tree(repo / "sdk")
    assert after["pydantic/outboundbot/errors.py"] == expected["pydantic/outboundbot/errors.py"]
    assert after["pydantic/README.md"] == expected["pydantic/README.md"]
    assert after["pydantic/outboundbot/_client.py"] != expected["pydantic/outboundbot/_client.py"]


def test_a_snapshot_of_an_output_without_our_manifest_is_none(tmp_path: Path) -> None:
    """No manifest, or one another tool wrote: nothing is read ahead, and writing decides as it always did."""
    assert output.snapshot(tmp_path / "missing") is None
    (tmp_path / output.MANIFEST).write_text('{"name": "other"}')
    assert output.snapshot(tmp_path) is None


def _mode(path: Path) -> int:
    """A file's permission bits."""
    return path.stat().st_mode & 0o777


def _files_for(repo: Path, flavors: list[str]) -> dict[str, bytes]:
    """The file set of a generation of the repo's spec into sdk/ with these flavors."""
    return _run_for(repo, flavors).files


def _run_for(repo: Path, flavors: list[str]) -> Result:
    """A generation of the repo's spec into sdk/ with these flavors, not written."""
    config = Config(spec=repo / "api.yaml", out=repo / "sdk", version="0.1.0", flavors=tuple(flavors), overrides={}, source="test")
    return run(config)
