"""Which implementation ``import qonto_webhooks`` uses: the native module (Rust, compiled) when
it loads, the pure-Python one (``_pure``, standard library only) otherwise.

``QONTO_WEBHOOKS_IMPLEMENTATION`` chooses: ``python`` forces the pure-Python implementation;
``native`` requires the native one (an ``ImportError`` when it cannot be loaded); unset or empty,
the native one when it loads. ``IMPLEMENTATION`` says which one runs: ``"native"`` or
``"python"``.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

__all__ = ["ENV_VAR", "IMPLEMENTATION", "impl"]

ENV_VAR = "QONTO_WEBHOOKS_IMPLEMENTATION"

if TYPE_CHECKING:
    # Both implementations have the native module's interface, which the stubs describe.
    from . import _native as impl

    IMPLEMENTATION: str
else:
    _choice = os.environ.get(ENV_VAR, "").strip()
    if _choice == "python":
        from . import _pure as impl

        IMPLEMENTATION = "python"
    elif _choice == "native":
        try:
            impl = importlib.import_module("qonto_webhooks._native")
        except ImportError as e:
            raise ImportError(
                f"{ENV_VAR}=native, but the native module of qonto_webhooks cannot be loaded "
                f"({e}): this install has no compiled module for this platform and Python "
                f"(the pure-Python wheel was installed?); unset {ENV_VAR} to use the "
                "pure-Python implementation"
            ) from e
        IMPLEMENTATION = "native"
    elif _choice == "":
        try:
            impl = importlib.import_module("qonto_webhooks._native")
            IMPLEMENTATION = "native"
        except ImportError:
            from . import _pure as impl

            IMPLEMENTATION = "python"
    else:
        raise ImportError(
            f"{ENV_VAR} must be 'native' or 'python' (or unset: the native implementation when "
            f"it loads), not {_choice!r}"
        )
