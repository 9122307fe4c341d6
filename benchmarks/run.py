"""s2s benchmarks: s2s.jit against plain Python/NumPy, hand-written numba and JAX.

    python benchmarks/run.py            # the full run (about a minute)
    python benchmarks/run.py --quick    # fewer repeats, for a smoke test

What is measured (see benchmarks/README.md):
  * steady-state time per call, best of several repeats after a warm-up call, for
      - selu (the JAX quickstart's) on 1e6 float64 elements,
      - a 10,000-step Euler integration of a damped oscillator with a value-dependent branch;
  * first-call latency of s2s.jit in a fresh process: cold (empty S2S_CACHE_DIR) and warm
    (same cache directory again, so numba's on-disk cache is hit), as the wall time of a
    script that imports s2s, jits and calls once, minus that of a script that only imports.
JAX runs only if it is importable (`pip install -e '.[bench]'`), with x64 enabled so every
implementation computes in float64.
"""
import argparse
import inspect
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np

try:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
except ImportError:  # JAX is optional: the `bench` extra
    jax = None

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import s2s  # noqa: E402  (the checkout's s2s, also when it is not installed)


# -- the functions ------------------------------------------------------------------------
def selu(x, alpha=1.67, lmbda=1.05):
    return lmbda * np.where(x > 0, x, alpha * np.exp(x) - alpha)


def oscillator(x0, v0, dt, steps):
    """Euler steps of x'' = -4x - 0.1x' + friction, Coulomb friction opposing the motion."""
    x = x0
    v = v0
    for _ in range(steps):
        if v > 0.0:
            friction = -0.3
        else:
            friction = 0.3
        a = -4.0 * x - 0.1 * v + friction
        v = v + dt * a
        x = x + dt * v
    return x


# Hand-written numba: the same Python functions, decorated by hand.
selu_numba = numba.njit(selu)
oscillator_numba = numba.njit(oscillator)


def _jax_versions():
    def selu_jax(x, alpha=1.67, lmbda=1.05):
        return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)

    def oscillator_jax(x0, v0, dt, steps):
        # JAX cannot branch on a traced value: the `if` becomes a select, the loop fori_loop.
        def step(_, state):
            x, v = state
            friction = jnp.where(v > 0.0, -0.3, 0.3)
            a = -4.0 * x - 0.1 * v + friction
            v = v + dt * a
            return x + dt * v, v

        return jax.lax.fori_loop(0, steps, step, (x0, v0))[0]

    return jax.jit(selu_jax), jax.jit(oscillator_jax, static_argnums=3)


# -- timing -------------------------------------------------------------------------------
def _block(result):
    ready = getattr(result, "block_until_ready", None)
    return ready() if ready is not None else result


def time_per_call(fn, args, repeat, min_time):
    """Best time per call over `repeat` measurements of a loop lasting >= `min_time`."""
    _block(fn(*args))  # warm-up: compilation happens here
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            _block(fn(*args))
        elapsed = time.perf_counter() - start
        if elapsed >= min_time or number >= 1 << 20:
            break
        number *= 2 if elapsed == 0 else max(2, int(min_time / elapsed * 1.2))
    best = elapsed / number
    for _ in range(repeat - 1):
        start = time.perf_counter()
        for _ in range(number):
            _block(fn(*args))
        best = min(best, (time.perf_counter() - start) / number)
    return best


def steady_state_cases():
    """[(case name, args, [(implementation, fn)])]."""
    x = np.random.default_rng(0).standard_normal(1_000_000)
    osc_args = (1.0, 0.0, 1e-3, 10_000)
    cases = [
        ("selu, 1e6 float64", (x,), [
            ("s2s.jit", s2s.jit(selu)),
            ("NumPy", selu),
            ("numba.njit (by hand)", selu_numba),
        ]),
        ("oscillator, 10,000 Euler steps", osc_args, [
            ("s2s.jit", s2s.jit(oscillator)),
            ("plain Python", oscillator),
            ("numba.njit (by hand)", oscillator_numba),
        ]),
    ]
    if jax is not None:
        selu_jax, oscillator_jax = _jax_versions()
        cases[0][2].append(("jax.jit", selu_jax))
        cases[1][2].append(("jax.jit", oscillator_jax))
    return cases


def check_agreement(name, args, impls):
    """Every implementation computes the same thing (else the timings mean nothing)."""
    reference = np.asarray(impls[1][1](*args))
    for label, fn in impls:
        got = np.asarray(_block(fn(*args)))
        if not np.allclose(got, reference, rtol=1e-9, atol=1e-12):
            raise AssertionError(f"{name}: {label} disagrees with {impls[1][0]}")


# -- first-call latency -------------------------------------------------------------------
# The same source the steady-state case times, written to a file for the subprocesses.
LATENCY_FUNCTION = inspect.getsource(oscillator)

LATENCY_SCRIPTS = {
    "baseline": "import numpy, numba, s2s\n",
    "s2s": "import numpy, numba, s2s\n" + LATENCY_FUNCTION + "s2s.jit(oscillator)(1.0, 0.0, 1e-3, 100)\n",
    "numba": "import numpy, numba, s2s\n" + LATENCY_FUNCTION
    + "numba.njit(cache=True)(oscillator)(1.0, 0.0, 1e-3, 100)\n",
}


def _run_script(path, env):
    start = time.perf_counter()
    subprocess.run([sys.executable, path], env=env, check=True, cwd=os.path.dirname(path))
    return time.perf_counter() - start


def first_call_latency(repeat):
    """{label: seconds} of first-call latency, each net of the import-only baseline."""
    root = tempfile.mkdtemp(prefix="s2s-bench-")
    try:
        paths = {}
        for name, text in LATENCY_SCRIPTS.items():
            paths[name] = os.path.join(root, f"latency_{name}.py")
            with open(paths[name], "w") as fh:
                fh.write(text)
        base_env = {k: v for k, v in os.environ.items() if k not in ("S2S_DISABLE_CACHE", "S2S_DUMP_AFTER")}
        base_env["PYTHONPATH"] = os.pathsep.join(
            [os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)]
            + ([base_env["PYTHONPATH"]] if base_env.get("PYTHONPATH") else [])
        )

        def env_for(tag):
            return dict(base_env, S2S_CACHE_DIR=os.path.join(root, f"cache-{tag}"),
                        NUMBA_CACHE_DIR=os.path.join(root, f"numba-cache-{tag}"))

        baseline = min(_run_script(paths["baseline"], env_for("baseline")) for _ in range(repeat))
        results = {"import s2s + numba (baseline, not subtracted)": baseline}
        for name, label in (("s2s", "s2s.jit"), ("numba", "numba.njit(cache=True) (by hand)")):
            cold, warm = [], []
            for i in range(repeat):
                env = env_for(f"{name}{i}")  # a fresh, empty cache directory
                cold.append(_run_script(paths[name], env))
                warm.append(_run_script(paths[name], env))  # the same one: the disk cache is hit
            results[f"{label}: cold"] = min(cold) - baseline
            results[f"{label}: warm"] = min(warm) - baseline
        return results
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- report -------------------------------------------------------------------------------
def _fmt_time(seconds):
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def print_table(headers, rows):
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    line = "| " + " | ".join(f"{h:<{w}}" for h, w in zip(headers, widths)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(f"{str(c):<{w}}" for c, w in zip(row, widths)) + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter timing loops")
    options = parser.parse_args(argv)
    repeat, min_time, latency_repeat = (3, 0.01, 1) if options.quick else (7, 0.1, 3)

    print(f"s2s {s2s.__version__}, numba {numba.__version__}, numpy {np.__version__}, "
          f"jax {jax.__version__ if jax is not None else 'not installed'}, Python {platform.python_version()}, "
          f"{platform.machine()} with {os.cpu_count()} cores")
    print(f"steady state: best of {repeat} timing loops of >= {min_time * 1e3:.0f} ms, after a warm-up call; "
          "'/ s2s' is the time divided by s2s.jit's (> 1: s2s.jit is faster)\n")
    rows = []
    for name, args, impls in steady_state_cases():
        check_agreement(name, args, impls)
        times = [(label, time_per_call(fn, args, repeat, min_time)) for label, fn in impls]
        t_s2s = times[0][1]
        for label, t in times:
            rows.append((name, label, _fmt_time(t), f"{t / t_s2s:.2f}"))
    print_table(("case", "implementation", "time per call", "/ s2s"), rows)

    print(f"\nfirst-call latency in a fresh process (best of {latency_repeat}; import time subtracted):\n")
    latency = first_call_latency(latency_repeat)
    rows = [(label, _fmt_time(t)) for label, t in latency.items()]
    print_table(("first call", "wall time"), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
