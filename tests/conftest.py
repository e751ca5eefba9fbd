"""Fixtures shared by the unit tests."""
import pytest


@pytest.fixture
def verdict(capsys):
    """verdict(check, answer) -> (what the checker returned, what it printed)."""
    def run(check, answer):
        result = check(answer)
        return result, capsys.readouterr().out
    return run


# ----------------------------------------------------------------------------- editions
# Built once per test session, in a temporary folder, and shared by the tests that read
# them (tests/test_site.py, tests/test_student.py, tests/test_editions.py): building the
# site and the decks takes most of a minute on a 2-core machine.
from build_common import build_with  # noqa: E402  (tests/build_common.py)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The public site (`make site`), every notebook."""
    out = tmp_path_factory.mktemp("site")
    build_with("site", out)
    return out


@pytest.fixture(scope="session")
def student_edition(tmp_path_factory):
    """The student edition (`make student`)."""
    from tools import student

    out = tmp_path_factory.mktemp("student")
    student.build(out)
    return out


@pytest.fixture(scope="session")
def lecturer_edition(tmp_path_factory):
    """The lecturer's outputs: the lecturer copy of the notebooks (`make lecturer`) in
    ./notebooks and the decks (`make slides`) in ./slides."""
    from tools import lecturer

    out = tmp_path_factory.mktemp("lecturer")
    lecturer.build(out / "notebooks")
    build_with("slides", out / "slides")
    return out
