"""Built modules remembered per process, so a transformation made again builds nothing.

`s2s.grad(loss)(params)` inside a training loop, `s2s.jvp(f, primals, tangents)` or
`s2s.vmap(f)(xs)` per call, a finite-difference check calling `grad(f)` at many points: each
makes a new transformation object, and each used to run the whole pipeline again (parse, differentiate, emit: 30-200 ms
for a small function) for the same module. A builder decorated with `remembered` returns
what it built before for the same function and arguments -- as long as everything the
build captured still holds: the module's guards (the globals, closure cells and attributes
it read, and the functions' code; see parse/context.py `Guard`), the same test `jit` makes
before reusing a specialization. A rebound global or an edited function builds again.

    grad(f)(x); grad(f)(x)      before: two builds   after: one build, one lookup

A transformation object passed as the function (hessian's `jacfwd(grad(f))`, made afresh
per call) is known by the function it generated when its class says that is all a build
reads of it (`__s2s_build_by_function__ = True`): two `grad(f)` objects are one key.

Builders whose arguments cannot be a dict key (lists, dicts) build every time. At most
`LIMIT` builds are kept (least recently used first out): they hold their functions alive.
"""
import functools
import threading
from collections import OrderedDict

from ..parse.context import guard_checker

LIMIT = 512

_built = OrderedDict()  # (builder, fn, args, kwargs) -> (result, guards_hold)
_lock = threading.Lock()


def _module_of(result):
    return result[0] if isinstance(result, tuple) else result


def _identity(fn):
    if getattr(type(fn), "__s2s_build_by_function__", False):
        return ("generated", fn.__s2s_function__)
    return fn


def remembered(build):
    """`build(fn, *args, **kwargs) -> GeneratedModule or (GeneratedModule, ...)`, remembered."""

    @functools.wraps(build)
    def wrapper(fn, *args, **kwargs):
        key = (build.__qualname__, _identity(fn), args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:  # an unhashable argument: no memory for this call
            return build(fn, *args, **kwargs)
        with _lock:
            hit = _built.get(key)
            if hit is not None:
                _built.move_to_end(key)
        if hit is not None and hit[1]():
            return hit[0]
        result = build(fn, *args, **kwargs)
        with _lock:
            _built[key] = (result, guard_checker(_module_of(result).guards))
            while len(_built) > LIMIT:
                _built.popitem(last=False)
        return result

    return wrapper


def forget():
    """Drop every remembered build (tests; a user never needs it: guards catch changes)."""
    with _lock:
        _built.clear()
