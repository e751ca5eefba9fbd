"""Fixtures shared by the unit tests."""
import pytest


@pytest.fixture
def verdict(capsys):
    """verdict(check, answer) -> (what the checker returned, what it printed)."""
    def run(check, answer):
        result = check(answer)
        return result, capsys.readouterr().out
    return run
