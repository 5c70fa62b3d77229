"""Makes the installed annbatch importable on Python 3.11.

annbatch declares Python >= 3.12 and uses three 3.12-only constructs, all of them typing or a
stdlib helper: PEP 695 type parameter lists (``def f[T: A](...)``, ``class C[T](...)``),
``type X = ...`` aliases, and ``itertools.batched``. This machine has Python 3.11 only (nothing
newer is installable from the reachable registries), so benchmarks/setup-peers.sh installs annbatch
with --ignore-requires-python and runs this script, which rewrites exactly those constructs in the
installed copy: type parameter lists are dropped (annotations are strings in these modules:
``from __future__ import annotations``), aliases become string assignments, and ``batched`` gets
a two-line equivalent. No loader logic is touched. Idempotent; fails if a file still does not parse.
"""
import pathlib
import re
import sys

import importlib.util

BATCHED = (
    "import itertools as _it\n"
    "if not hasattr(_it, 'batched'):\n"
    "    def _batched(iterable, n):\n"
    "        it = iter(iterable)\n"
    "        while chunk := tuple(_it.islice(it, n)):\n"
    "            yield chunk\n"
    "    _it.batched = _batched\n"
)


def drop_type_params(src: str) -> str:
    out = []
    i = 0
    pattern = re.compile(r"\b(def|class)\s+\w+\[")
    while True:
        m = pattern.search(src, i)
        if not m:
            out.append(src[i:])
            return "".join(out)
        start = m.end() - 1  # the '['
        depth = 0
        j = start
        while True:
            c = src[j]
            if c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        out.append(src[i:start])
        i = j + 1


ALIAS_CLASS = (
    "class _TypeAlias:  # compat_annbatch: a 3.11 stand-in for a PEP 695 alias\n"
    "    def __init__(self, value):\n"
    "        self._value = value\n"
    "\n"
    "    @property\n"
    "    def __value__(self):\n"
    "        return self._value()\n"
    "\n"
    "\n"
)


def alias(m: re.Match) -> str:
    # evaluated when annbatch reads __value__ (isinstance checks), like a real alias
    return f"{m.group(1)}{m.group(2)} = _TypeAlias(lambda: {m.group(3).strip()})"


def main() -> None:
    spec = importlib.util.find_spec("annbatch")
    root = pathlib.Path(spec.origin).parent
    for f in sorted(root.rglob("*.py")):
        src = f.read_text()
        new = drop_type_params(src)
        aliased = re.sub(r"^(\s*)type (\w+)\s*=(.*)$", alias, new, flags=re.M)
        if aliased != new:
            first = re.search(r"^\w+ = _TypeAlias", aliased, flags=re.M).start()
            new = aliased[:first] + ALIAS_CLASS + aliased[first:]
        if f.name == "__init__.py" and f.parent == root:
            # appended (not prepended: __future__ imports must stay first); used at call time only
            new = new.replace(BATCHED, "")
            new = new.rstrip("\n") + "\n\n" + BATCHED
        if new != src:
            f.write_text(new)
            print(f"compat_annbatch: rewrote {f.relative_to(root.parent)}")
        compile(new, str(f), "exec")
        cache = f.parent / "__pycache__"
        for pyc in cache.glob(f.stem + ".*.pyc") if cache.exists() else []:
            pyc.unlink()


if __name__ == "__main__":
    sys.exit(main())
