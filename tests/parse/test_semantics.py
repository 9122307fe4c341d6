"""Every normalization pass preserves meaning: for each pass of the pipeline and each corpus
function, the program normalized up to (and including) that pass, run as plain Python,
returns what the original function returns.

The list of passes is read from the pipeline, so a new pass is tested as soon as it is
registered. Before name resolution the program still reads the user's globals and closure
cells by name, so its code runs in a namespace that has them (the generated module's own
names win).
"""
import pytest

from corpus import CASES, assert_same_result
from s2s.codegen.module import GeneratedModule
from s2s.parse.pipeline import build_program, pass_names

PASSES = pass_names()
_RESOLVED_FROM = PASSES.index("resolve") if "resolve" in PASSES else 0


def _user_namespace(fn):
    ns = dict(fn.__globals__)
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        ns[name] = cell.cell_contents
    return ns


def normalized(fn, upto):
    module = GeneratedModule(build_program(fn, upto=upto))
    loaded = module.load("python").__dict__
    if upto is not None and PASSES.index(upto) < _RESOLVED_FROM:
        ns = _user_namespace(fn)
        ns.update(loaded)
        exec(compile(module.source, module.filename, "exec"), ns)
        return ns[module.entry]
    return loaded[module.entry]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("upto", PASSES)
def test_pass_preserves_semantics(upto, case):
    expected = case.fn(*case.args())
    got = normalized(case.fn, upto)(*case.args())
    assert_same_result(got, expected)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_full_pipeline_on_other_inputs(case):
    twin = normalized(case.fn, None)
    for seed in (1, 2):
        assert_same_result(twin(*case.args(seed)), case.fn(*case.args(seed)))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_normalization_is_deterministic(case):
    a = GeneratedModule(build_program(case.fn)).source
    b = GeneratedModule(build_program(case.fn)).source
    assert a == b
