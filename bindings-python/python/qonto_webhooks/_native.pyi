# Type stubs of the native module (Rust, pyo3). Checked against the module by mypy.stubtest.
from typing import Final, Iterable, List, Literal, Optional, Tuple, Union, final

from typing_extensions import disjoint_base

_Body = Union[bytes, bytearray, memoryview, str]
_Header = Union[str, bytes, None]
_Secret = Union[str, bytes, bytearray]
# An int of seconds; None: the default (300); only "disabled", spelled out, switches it off.
_Tolerance = Union[int, Literal["disabled"], None]
_Schemes = Literal["business", "onboarding", "both"]

BUSINESS_HEADER: Final[str]
ONBOARDING_HEADER: Final[str]
DEFAULT_TOLERANCE: Final[int]
MAX_SECRETS: Final[int]
MAX_HEADER_LEN: Final[int]
ERROR_CODES: Final[Tuple[str, ...]]
__version__: Final[str]
__all__ = [
    "BUSINESS_HEADER",
    "DEFAULT_TOLERANCE",
    "ERROR_CODES",
    "Incremental",
    "MAX_HEADER_LEN",
    "MAX_SECRETS",
    "ONBOARDING_HEADER",
    "Verified",
    "Verifier",
    "__version__",
    "diagnose",
    "sign",
    "sign_onboarding",
    "unix_now",
]

@final
class Verified:
    """A successful verification."""

    @property
    def secret_index(self) -> int: ...
    @property
    def timestamp(self) -> Optional[int]: ...
    @property
    def scheme(self) -> Literal["business", "onboarding"]: ...
    def __new__(
        cls, secret_index: int, timestamp: Optional[int], scheme: Literal["business", "onboarding"]
    ) -> Verified: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Incremental:
    """A verification in progress, for a body read in chunks."""

    def update(self, chunk: _Body) -> None: ...
    def finish(self) -> Verified: ...

@disjoint_base
class Verifier:
    def __new__(
        cls,
        secret: Union[_Secret, Iterable[_Secret]],
        *,
        tolerance: _Tolerance = 300,
        schemes: _Schemes = "business",
    ) -> Verifier: ...
    @property
    def tolerance(self) -> Union[int, Literal["disabled"]]: ...
    @property
    def schemes(self) -> _Schemes: ...
    @property
    def secret_count(self) -> int: ...
    def verify(self, body: _Body, header: _Header, *, now: Optional[int] = None) -> Verified: ...
    def verify_onboarding(self, body: _Body, header: _Header) -> Verified: ...
    def _verify_request(
        self, business: _Header, onboarding: _Header, body: _Body, *, now: Optional[int] = None
    ) -> Verified: ...
    def _start_request(
        self, business: _Header, onboarding: _Header, *, now: Optional[int] = None
    ) -> Incremental: ...
    def start(self, header: _Header, *, now: Optional[int] = None) -> Incremental: ...
    def start_onboarding(self, header: _Header) -> Incremental: ...

def sign(secret: _Secret, body: _Body, *, timestamp: Optional[int] = None) -> str: ...
def sign_onboarding(secret: _Secret, body: _Body) -> str: ...
def unix_now() -> int: ...

def diagnose(
    secret: Union[_Secret, Iterable[_Secret]],
    body: _Body,
    header: _Header,
    *,
    onboarding: bool = False,
    now: Optional[int] = None,
    tolerance: _Tolerance = 300,
) -> Tuple[bool, Optional[int], Optional[str], Optional[str], bool, List[Tuple[str, str]]]: ...
