"""The CI slice (tests/conftest.py): parametrized integration and molecule matrices keep their first case and every
EVERY-th one; plain tests, other folders and cheap matrices always run."""
from types import SimpleNamespace

from tests.conftest import EVERY, ci_slice


def item(nodeid, parametrized=True, full=False):
    return SimpleNamespace(nodeid=nodeid, callspec=object() if parametrized else None,
                           get_closest_marker=lambda name: object() if full and name == "full" else None)


def test_each_parametrized_integration_test_keeps_its_first_case_and_every_nth():
    cases = [item("tests/integration/test_x.py::test_bad[%d]" % i) for i in range(2 * EVERY + 1)]
    other = [item("tests/molecule/test_molecule.py::test_molecule_scenario[%s]" % s) for s in ("a", "b")]
    plain = item("tests/integration/test_x.py::test_plain", parametrized=False)
    cheap = [item("tests/unit/test_parsers.py::test_quantity[%d]" % i) for i in range(EVERY + 1)]
    kept, dropped = ci_slice(cases[:3] + [plain] + other + cases[3:] + cheap)
    assert [i.nodeid for i in kept] == [cases[0].nodeid, plain.nodeid, other[0].nodeid, cases[EVERY].nodeid,
                                        cases[2 * EVERY].nodeid] + [c.nodeid for c in cheap]
    assert len(dropped) == len(cases) - 3 + 1


def test_a_test_marked_full_runs_only_in_the_full_run():
    long, short = item("tests/site/test_x.py::test_long", parametrized=False, full=True), item("tests/site/test_x.py::test_short", parametrized=False)
    kept, dropped = ci_slice([long, short])
    assert kept == [short] and dropped == [long]
