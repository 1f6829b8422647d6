"""Programs from Debian that some tests run: skip without them, fail in CI."""

import os
from pathlib import Path

import pytest


def program_or_skip(name):
    """Return the path of an installed program a test runs (nginx, wrk, redis-server…).

    Without it the test is skipped with the reason; CI sets PRESSROOM_REQUIRE_TOOLS=1,
    which turns a missing program into a failure.
    """
    from pressroom.loopback import ProgramMissing, find_program

    try:
        return find_program(name, "/usr/sbin", *_postgres_bin_dirs())
    except ProgramMissing as error:
        if os.environ.get("PRESSROOM_REQUIRE_TOOLS"):
            pytest.fail(f"PRESSROOM_REQUIRE_TOOLS is set but {error}", pytrace=False)
        pytest.skip(f"{error}; `make test` installs it when run as root")


def _postgres_bin_dirs():
    return sorted(str(p) for p in Path("/usr/lib/postgresql").glob("*/bin"))
