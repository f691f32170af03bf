"""Compare a rendered file set with a golden directory, or rewrite the directory on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from acs_sdkgen.output.files import compare, describe, files_on_disk, write_tree


def assert_golden(files: dict[str, bytes], golden: Path, update: bool) -> None:
    """Fail with missing/extra/changed files and a unified diff unless `golden` holds exactly `files`."""
    if update:
        write_tree(golden, files, owned=set(files_on_disk(golden)))  # the golden tree mirrors `files`
        return
    actual = files_on_disk(golden)
    drift = compare(files, actual)
    if not drift.clean:
        report = describe(drift, files, actual, golden.name)
        pytest.fail(
            f"{golden} differs from what the generator produces now "
            f"(review, then run `make update-golden`):\n{report}",
            pytrace=False,
        )
