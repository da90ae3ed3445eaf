"""`calbridge ... | head -2`: a reader that stops reading ends the command without a traceback."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from bridge.domain import User

CALBRIDGE = pathlib.Path(sys.executable).with_name("calbridge")


@pytest.mark.usefixtures("cli_env")
def test_a_closed_pipe_ends_the_listing_quietly(crm_user: User) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before the first line is written
    try:
        done = subprocess.run(
            [str(CALBRIDGE), "account", "list", "--user", crm_user.login],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)

    assert done.stderr == ""
    assert done.returncode == 128 + 13
