"""The no_wall_clock guard (tests/conftest.py) fails a test that reads SystemClock."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CONFTEST = """
from tests.conftest import no_wall_clock  # noqa: F401  (the autouse guard under test)
"""

TESTS = """
import pytest

from app.clock import SystemClock


def test_reads_the_wall_clock():
    SystemClock().now()


def test_swallows_the_error():
    try:  # as the worker does: it logs and retries
        SystemClock().now()
    except AssertionError:
        pass


@pytest.mark.wall_clock
def test_opted_out():
    assert SystemClock().now().tzinfo is not None


def test_never_asks():
    pass
"""


@pytest.mark.wall_clock  # the inner run, in this process, brings its own guard
def test_a_test_reading_the_wall_clock_fails(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_inner=TESTS)

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "ignore")

    # A read fails the test at teardown too, so a swallowed error still counts.
    result.assert_outcomes(passed=3, failed=1, errors=2)
    result.stdout.fnmatch_lines(["FAILED test_inner.py::test_reads_the_wall_clock*"])
    result.stdout.fnmatch_lines(["ERROR test_inner.py::test_swallows_the_error*"])
    assert "test_opted_out" not in result.stdout.str().split("short test summary")[-1]
