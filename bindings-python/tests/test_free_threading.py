"""The native module tells a free-threaded CPython that it needs the GIL (`Py_mod_gil`).

`with_body` reads a small `bytearray` in place. With the GIL nothing can resize it meanwhile; on a
free-threaded interpreter (3.13t, 3.14t) another thread could, and the read would be a use after
free. So the module declares `gil_used = true` (see `native` in src/lib.rs): such an interpreter
turns the GIL back on when it imports the module.

What this test shows, and what it does not: no free-threaded interpreter is at hand, and the
abi3 wheels carry no `Py_mod_gil` slot at all (the slot exists from 3.13 on; free-threaded
CPython cannot load abi3 wheels anyway). So the test builds the module for a regular CPython 3.13+
found on this machine, version-specific (no abi3), and reads the slot the interpreter reads at
import: it must say `Py_MOD_GIL_USED`. It cannot show how a free-threaded interpreter then behaves,
nor race two threads on a bytearray (with the GIL, they cannot race).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import List, Optional

import pytest

from conftest import native_only

HERE = Path(__file__).resolve().parent
CRATE = HERE.parent
REPO = CRATE.parent

Py_mod_gil = 4  # Include/moduleobject.h, 3.13+
Py_MOD_GIL_USED = 0
Py_MOD_GIL_NOT_USED = 1

# Run inside the 3.13+ interpreter: load the extension without importing it, call its
# PyInit (multi-phase: it returns the PyModuleDef) and list the definition's slots.
READ_SLOTS = r"""
import ctypes, json, sys

class Slot(ctypes.Structure):
    _fields_ = [("slot", ctypes.c_int), ("value", ctypes.c_void_p)]

class Base(ctypes.Structure):  # PyModuleDef_Base, GIL build
    _fields_ = [("ob_refcnt", ctypes.c_ssize_t), ("ob_type", ctypes.c_void_p),
                ("m_init", ctypes.c_void_p), ("m_index", ctypes.c_ssize_t),
                ("m_copy", ctypes.c_void_p)]

class Def(ctypes.Structure):  # PyModuleDef
    _fields_ = [("m_base", Base), ("m_name", ctypes.c_char_p), ("m_doc", ctypes.c_char_p),
                ("m_size", ctypes.c_ssize_t), ("m_methods", ctypes.c_void_p),
                ("m_slots", ctypes.POINTER(Slot))]

init = ctypes.PyDLL(sys.argv[1]).PyInit__native
init.restype = ctypes.c_void_p
definition = Def.from_address(init())
slots = {}
i = 0
while definition.m_slots[i].slot:
    slots[definition.m_slots[i].slot] = definition.m_slots[i].value or 0
    i += 1
print(json.dumps({"name": definition.m_name.decode(), "slots": slots}))
"""


def candidates() -> List[str]:
    """Interpreters to try: those listed in QONTO_WEBHOOKS_TEST_PYTHONS (as for test_install),
    python3.N on PATH, and pyenv's versions."""
    found = os.environ.get("QONTO_WEBHOOKS_TEST_PYTHONS", "").split()
    found += [p for p in (shutil.which(f"python3.{m}") for m in range(13, 20)) if p]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found += sorted(str(p) for p in pyenv.glob("3.*/bin/python3"))
    return list(dict.fromkeys(found))


def python_313_or_later() -> Optional[str]:
    """A regular (GIL) CPython 3.13 or later, if one runs here."""
    probe = "import sys, sysconfig; print(sys.version_info >= (3, 13), sysconfig.get_config_var('Py_GIL_DISABLED'))"
    for path in candidates():
        try:
            check = subprocess.run([path, "-c", probe], capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if check.returncode == 0 and check.stdout.split() in (["True", "0"], ["True", "None"]):
            return path
    return None


@native_only
def test_the_module_declares_that_it_uses_the_gil(tmp_path: Path) -> None:
    python = python_313_or_later()
    if python is None:
        pytest.skip("no CPython 3.13+ here to build a version-specific module for")
    maturin = Path(sys.executable).parent / "maturin"
    env = dict(os.environ, CARGO_TARGET_DIR=str(REPO / "target" / "python-gil-check"))
    # Version-specific (no abi3 feature), dev profile: only the module definition matters.
    build = subprocess.run(
        [
            str(maturin),
            "build",
            "--quiet",
            "-i",
            python,
            "--no-default-features",
            "-m",
            str(CRATE / "Cargo.toml"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = tmp_path.glob("qonto_webhooks-*.whl")
    assert "abi3" not in wheel.name, wheel.name
    with zipfile.ZipFile(wheel) as z:
        (member,) = [
            n for n in z.namelist() if n.startswith("qonto_webhooks/_native") and n.endswith(".so")
        ]
        so = Path(z.extract(member, tmp_path))
    result = subprocess.run(
        [python, "-c", READ_SLOTS, str(so)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    module = json.loads(result.stdout)
    assert module["name"] == "_native"
    gil = module["slots"].get(str(Py_mod_gil))
    assert gil is not None, f"no Py_mod_gil slot: {module}"
    assert gil == Py_MOD_GIL_USED, (
        "the module tells free-threaded CPython it can run without the GIL "
        f"(Py_mod_gil = {gil}), but it reads bytearrays in place relying on the GIL"
    )
