"""The pure-Python implementation of ``qonto_webhooks._native``, on the standard library only
(``hmac``, ``hashlib``, ``hmac.compare_digest``).

Used when the native module cannot be loaded (a platform without a compiled wheel), or when
``QONTO_WEBHOOKS_IMPLEMENTATION=python`` asks for it. It provides exactly the native module's
names, signatures, verdicts, error classes, codes and messages: the rules below are a port of the
Rust core (``core/src/header.rs``, ``verifier.rs``, ``request.rs``, ``error.rs``, ``sign.rs`` and
``diagnose.rs``), and the shared vector and request files run through both implementations.

What differs, by nature: the secret's bytes live in Python objects and in hashlib's SHA-256
states (nothing here can wipe them); hashing holds the GIL except inside hashlib's update of a
large buffer (it releases it above 2 KiB); and `diagnose` re-serialises JSON with Python's `json`
module where the core uses serde_json, so for numbers the two write differently (`1.5e-7` and
`1.5e-07`, `-0`, integers beyond 64 bits) or nesting deeper than 128 levels, its
`body_reserialized` findings may differ from the core's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from typing import Any, List, Optional, Sequence, Tuple, Union

# The contract's names and limits, generated from the core (contract.json): never a copy by hand.
from ._contract import (
    BUSINESS_HEADER,
    DEFAULT_TOLERANCE,
    ERROR_CODES,
    MAX_HEADER_LEN,
    MAX_SECRETS,
    ONBOARDING_HEADER,
    message,
)
from .exceptions import (
    InvalidSecretError,
    MalformedHeaderError,
    MissingHeaderError,
    MissingSignatureError,
    MissingTimestampError,
    SignatureMismatchError,
    TimestampInFutureError,
    TimestampTooOldError,
    WebhookVerificationError,
)

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

#: The package version; test_pure.py checks it against the Rust workspace's.
__version__ = "0.1.0"


_U64_MAX = 2**64 - 1
_DISABLED = "disabled"
_SCHEMES = ("business", "onboarding", "both")
_BLANKS = b" \t"
_HEX_LEN = 64
_LEADING_DIGITS = re.compile(rb"[0-9]*").match
_unhexlify = binascii.unhexlify
_compare = hmac.compare_digest
# Below this size a body is copied once behind its prefix (one hash update instead of two).
_CONCAT_MAX = 4096


# --- Errors: the core's messages (its templates, from contract.json), word for word ---------


def _empty_secret() -> InvalidSecretError:
    return InvalidSecretError(message("empty_secret"), None)


def _no_secret() -> InvalidSecretError:
    return InvalidSecretError(message("no_secret"), None)


def _too_many_secrets() -> InvalidSecretError:
    return InvalidSecretError(message("too_many_secrets"), None)


def _missing(scheme: str) -> MissingHeaderError:
    return MissingHeaderError(message("header_missing", scheme), scheme)


def _missing_either() -> MissingHeaderError:
    return MissingHeaderError(message("headers_missing"), "business")


def _other_scheme_only(scheme: str) -> MissingHeaderError:
    return MissingHeaderError(message("other_scheme_only", scheme), scheme)


def _too_long(scheme: str, length: int) -> MalformedHeaderError:
    return MalformedHeaderError(message("header_too_long", scheme, len=length), scheme)


def _without_equals(item: int) -> MalformedHeaderError:
    return MalformedHeaderError(message("item_without_equals", item=item), "business")


def _timestamp_not_digits() -> MalformedHeaderError:
    return MalformedHeaderError(message("timestamp_not_digits"), "business")


def _timestamp_overflow() -> MalformedHeaderError:
    return MalformedHeaderError(message("timestamp_overflow"), "business")


def _duplicate_timestamp() -> MalformedHeaderError:
    return MalformedHeaderError(message("duplicate_timestamp"), "business")


def _not_hex(scheme: str) -> MalformedHeaderError:
    return MalformedHeaderError(message("signature_not_hex_" + scheme, scheme), scheme)


def _no_timestamp() -> MissingTimestampError:
    return MissingTimestampError(message("no_timestamp"), "business")


def _no_signature() -> MissingSignatureError:
    return MissingSignatureError(message("no_signature"), "business")


def _mismatch(scheme: str, secrets: int, candidates: int) -> SignatureMismatchError:
    text = message("signature_mismatch_" + scheme, scheme, secrets=secrets, candidates=candidates)
    return SignatureMismatchError(text, scheme)


def _window(
    timestamp: int, now: int, tolerance: Optional[int]
) -> Optional[WebhookVerificationError]:
    """The replay window (core `Tolerance::check`); `tolerance` None is disabled."""
    if tolerance is None:
        return None
    if now >= timestamp:
        age = now - timestamp
        if age > tolerance:
            return TimestampTooOldError(
                message("too_old", age=age, tolerance=tolerance), "business"
            )
    else:
        ahead = timestamp - now
        if ahead > tolerance:
            return TimestampInFutureError(
                message("in_future", ahead=ahead, tolerance=tolerance), "business"
            )
    return None


# --- Arguments: the native module's conversions and TypeError/ValueError messages -----------


def _type_name(obj: object) -> str:
    return type(obj).__qualname__


def _body(body: object) -> Union[bytes, bytearray]:
    """The bytes of a body (a `str` as UTF-8, a `memoryview` copied, as the native module
    does)."""
    if isinstance(body, (bytes, bytearray)):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, memoryview):
        return body.tobytes()
    raise TypeError(
        "body must be bytes, bytearray, memoryview or str (the raw request body), not "
        f"{_type_name(body)}"
    )


def _header(header: object) -> bytes:
    """A header's bytes: `None` is an absent header (empty), a `str` is UTF-8 with each lone
    surrogate read as U+FFFD (as Node reads it)."""
    if isinstance(header, bytes):
        return header
    if isinstance(header, str):
        try:
            return header.encode("utf-8")
        except UnicodeEncodeError:
            return (
                header.encode("utf-16-le", "surrogatepass")
                .decode("utf-16-le", "replace")
                .encode("utf-8")
            )
    if header is None:
        return b""
    raise TypeError(
        "header must be str, bytes or None (the signature header's value), not "
        f"{_type_name(header)}"
    )


def _seconds(value: object, what: str) -> int:
    if not isinstance(value, int):
        raise TypeError(f"{what} must be an int (seconds), not {_type_name(value)}")
    if value < 0 or value > _U64_MAX:
        raise ValueError(f"{what} must be between 0 and 2**64 - 1 seconds, got {value}")
    return int(value)


def _now(now: object) -> int:
    return _clock() if now is None else _seconds(now, "now")


def _tolerance(tolerance: object) -> Optional[int]:
    """`None` for a disabled window, else the seconds."""
    if tolerance is None:
        return DEFAULT_TOLERANCE
    if isinstance(tolerance, str):
        if tolerance == _DISABLED:
            return None
        raise ValueError(
            f'tolerance must be an int of seconds, or "{_DISABLED}" to switch the replay window '
            f"off (archived events only), not {tolerance!r}"
        )
    if isinstance(tolerance, int) and tolerance < 0:
        raise ValueError(
            f"tolerance must be 0 or more seconds, got {tolerance}: a negative tolerance does "
            f'not switch the window off (tolerance="{_DISABLED}" does, for archived events only)'
        )
    return _seconds(tolerance, "tolerance")


def _schemes(schemes: object) -> str:
    if not isinstance(schemes, str):
        raise TypeError(
            f'schemes must be a str ("business", "onboarding" or "both"), not {_type_name(schemes)}'
        )
    if schemes not in _SCHEMES:
        raise ValueError(f'schemes must be "business", "onboarding" or "both", not {schemes!r}')
    return str(schemes)


def _secret_bytes(secret: object) -> Optional[bytes]:
    if isinstance(secret, bytes):
        return bytes(secret)
    if isinstance(secret, str):
        try:
            return secret.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidSecretError(
                "the secret is a str holding a lone surrogate (U+D800..U+DFFF), which has no "
                "UTF-8 form: os.environ gives such a str when the variable's bytes are not "
                'UTF-8; pass the secret as bytes (e.g. os.environb[b"QONTO_WEBHOOK_SECRET"])',
                None,
            ) from None
    if isinstance(secret, bytearray):
        return bytes(secret)
    return None


def _secrets(secret: object) -> List[bytes]:
    """One secret or a sequence of them; reads at most MAX_SECRETS + 1 items."""
    one = _secret_bytes(secret)
    if one is not None:
        return [one]
    type_error = TypeError(
        f"secret must be str, bytes, or a sequence of them (rotation), not {_type_name(secret)}"
    )
    if isinstance(secret, (dict, set, frozenset)):
        raise type_error
    try:
        items = iter(secret)  # type: ignore[call-overload]
    except TypeError:
        raise type_error from None
    secrets: List[bytes] = []
    for item in items:
        value = _secret_bytes(item)
        if value is None:
            raise TypeError(f"each secret must be str or bytes, not {_type_name(item)}")
        secrets.append(value)
        if len(secrets) > MAX_SECRETS:
            break
    return secrets


def _one_secret(secret: object) -> bytes:
    value = _secret_bytes(secret)
    if value is None:
        raise TypeError(f"secret must be str or bytes, not {_type_name(secret)}")
    return value


# --- Header grammar (core/src/header.rs) ----------------------------------------------------


def _decode_hex(text: bytes) -> Optional[bytes]:
    """Exactly 64 hex digits (either case) as 32 bytes; `None` otherwise."""
    if len(text) != _HEX_LEN:
        return None
    try:
        return binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        return None


def _parse_business(header: bytes) -> Tuple[bytes, int, List[bytes]]:
    """`(t as sent, t, [32-byte candidates])`, or raises the core's error for the first item
    that breaks the grammar."""
    if len(header) > MAX_HEADER_LEN:
        raise _too_long("business", len(header))
    value = header.strip(_BLANKS)
    if not value:
        raise _missing("business")
    t_text: Optional[bytes] = None
    t = 0
    candidates: List[bytes] = []
    for number, item in enumerate(value.split(b","), 1):
        key, eq, rest = item.lstrip(_BLANKS).partition(b"=")
        if not eq:
            raise _without_equals(number)
        if key == b"t":
            if t_text is not None:
                raise _duplicate_timestamp()
            digits = _LEADING_DIGITS(rest).group()  # type: ignore[union-attr]
            if digits and len(digits) > 19 and int(digits) > _U64_MAX:
                raise _timestamp_overflow()
            if not digits or rest[len(digits) :].strip(_BLANKS):
                raise _timestamp_not_digits()
            t_text, t = digits, int(digits)
        elif key == b"v1":
            candidate = _decode_hex(rest.rstrip(_BLANKS))
            if candidate is None:
                raise _not_hex("business")
            candidates.append(candidate)
        # Any other key is ignored, whatever its value.
    if t_text is None:
        raise _no_timestamp()
    if not candidates:
        raise _no_signature()
    return t_text, t, candidates


def _parse_onboarding(header: bytes) -> bytes:
    if len(header) > MAX_HEADER_LEN:
        raise _too_long("onboarding", len(header))
    value = header.strip(_BLANKS)
    if not value:
        raise _missing("onboarding")
    candidate = _decode_hex(value)
    if candidate is None:
        raise _not_hex("onboarding")
    return candidate


def _select(schemes: str, business: bytes, onboarding: bytes) -> Tuple[str, bytes]:
    """The header to verify, by the verifier's schemes (core `Schemes::select`)."""

    def present(h: bytes) -> bool:
        return len(h) > MAX_HEADER_LEN or bool(h.strip(_BLANKS))

    has_business, has_onboarding = present(business), present(onboarding)
    if schemes == "both":
        if has_business:
            return "business", business
        if has_onboarding:
            return "onboarding", onboarding
        raise _missing_either()
    if schemes == "business":
        chosen, other, header = has_business, has_onboarding, business
    else:
        chosen, other, header = has_onboarding, has_business, onboarding
    if chosen:
        return schemes, header
    raise _other_scheme_only(schemes) if other else _missing(schemes)


# --- HMAC -----------------------------------------------------------------------------------


_SHA256 = hashlib.sha256
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class _Key:
    """HMAC-SHA256 (RFC 2104) keyed once: the SHA-256 states after the inner and outer padded
    keys, copied for each message. `hmac.new` does the same work per call (and hmac.digest
    re-hashes the key every time); copying two hashlib objects is the cheapest way the standard
    library offers to MAC many messages under one key."""

    __slots__ = ("inner", "outer")

    def __init__(self, secret: bytes) -> None:
        if len(secret) > 64:
            secret = _SHA256(secret).digest()
        padded = secret.ljust(64, b"\0")
        self.inner = _SHA256(padded.translate(_IPAD))
        self.outer = _SHA256(padded.translate(_OPAD))


class _Mac:
    """One message being MACed in chunks."""

    __slots__ = ("inner", "outer")

    def __init__(self, key: _Key) -> None:
        self.inner = key.inner.copy()
        self.outer = key.outer

    def update(self, data: Union[bytes, bytearray]) -> None:
        self.inner.update(data)

    def digest(self) -> bytes:
        outer = self.outer.copy()
        outer.update(self.inner.digest())
        return outer.digest()


def _first_match(tags: List[bytes], candidates: Sequence[bytes]) -> Optional[int]:
    """The index of the first tag equal to any candidate; every pair is compared in constant
    time and none is skipped (core `first_match`)."""
    found: Optional[int] = None
    for index, tag in enumerate(tags):
        matched = False
        for candidate in candidates:
            matched |= hmac.compare_digest(tag, candidate)
        if matched and found is None:
            found = index
    return found


# --- The native module's classes and functions ----------------------------------------------


def _not_writable(obj: object, name: str) -> AttributeError:
    """The AttributeError a native (pyo3) class gives for setting or deleting an attribute: its
    getters are not writable, and it has no other attribute."""
    for klass in type(obj).__mro__:
        if isinstance(vars(klass).get(name), property):
            return AttributeError(
                f"attribute '{name}' of '{klass.__module__}.{klass.__qualname__}' objects is not "
                "writable"
            )
    kind = type(obj)
    shown = f"{kind.__module__}.{kind.__qualname__}" if kind in _NATIVE_LIKE else kind.__qualname__
    return AttributeError(f"'{shown}' object has no attribute '{name}'")


class Verified:
    """A successful verification.

    ``secret_index`` is the index of the secret that matched (the first one, in the order given
    to the ``Verifier``); ``timestamp`` is the header's ``t`` (unix seconds) for a business webhook
    and ``None`` for an onboarding webhook; ``scheme`` is ``"business"`` or ``"onboarding"``.
    """

    __slots__ = ("_fields",)
    _fields: Tuple[int, Optional[int], str]

    def __new__(cls, secret_index: int, timestamp: Optional[int], scheme: str) -> "Verified":
        # The native class's argument conversions (pyo3's usize and Option<u64>), same messages.
        for value in (secret_index, timestamp):
            if value is None and value is timestamp:
                continue
            if not isinstance(value, int):
                raise TypeError(f"'{_type_name(value)}' object cannot be interpreted as an integer")
            if value < 0:
                raise OverflowError("can't convert negative int to unsigned")
            if value > _U64_MAX:
                raise OverflowError("int too big to convert")
        if scheme not in ("business", "onboarding"):
            raise ValueError('scheme must be "business" or "onboarding"')
        return _verified(
            int(secret_index), None if timestamp is None else int(timestamp), str(scheme)
        )

    @property
    def secret_index(self) -> int:
        return self._fields[0]

    @property
    def timestamp(self) -> Optional[int]:
        return self._fields[1]

    @property
    def scheme(self) -> str:
        return self._fields[2]

    def __setattr__(self, name: str, value: object) -> None:
        raise _not_writable(self, name)

    def __delattr__(self, name: str) -> None:
        raise _not_writable(self, name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verified):
            return NotImplemented
        return self._fields == other._fields

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Verified):
            return NotImplemented
        return self._fields != other._fields

    def __hash__(self) -> int:
        return hash(self._fields)

    def __repr__(self) -> str:
        index, timestamp, scheme = self._fields
        return f"Verified(secret_index={index}, timestamp={timestamp}, scheme='{scheme}')"

    def __reduce__(self) -> Tuple[Any, ...]:
        raise TypeError("cannot pickle 'qonto_webhooks.Verified' object")


_new_object = object.__new__
_set_fields = Verified.__dict__["_fields"].__set__


def _verified(secret_index: int, timestamp: Optional[int], scheme: str) -> Verified:
    """A `Verified` from checked values, without the constructor's checks."""
    verified: Verified = _new_object(Verified)
    _set_fields(verified, (secret_index, timestamp, scheme))
    return verified


Verified.__module__ = "qonto_webhooks"


def _finished() -> ValueError:
    return ValueError("this verification is already finished: start a new one")


class Incremental:
    """A verification in progress, for a body read in chunks. Made by ``Verifier.start`` or
    ``Verifier.start_onboarding``."""

    __slots__ = ("_macs", "_scheme", "_candidates", "_timestamp")
    _macs: Optional[List[_Mac]]
    _scheme: str
    _candidates: Sequence[bytes]
    _timestamp: Optional[int]

    def __new__(cls) -> "Incremental":
        raise TypeError("cannot create 'qonto_webhooks.Incremental' instances")

    @classmethod
    def _make(
        cls, macs: List[_Mac], scheme: str, candidates: Sequence[bytes], timestamp: Optional[int]
    ) -> "Incremental":
        self = object.__new__(cls)
        self._macs = macs
        self._scheme = scheme
        self._candidates = candidates
        self._timestamp = timestamp
        return self

    def update(self, chunk: Union[bytes, bytearray, memoryview, str]) -> None:
        """Feeds the next chunk of the raw body."""
        macs = self._macs
        if macs is None:
            raise _finished()
        data = _body(chunk)
        for mac in macs:
            mac.update(data)

    def finish(self) -> Verified:
        """Finishes: returns a ``Verified`` or raises ``SignatureMismatchError``. Call it once."""
        macs = self._macs
        if macs is None:
            raise _finished()
        self._macs = None
        index = _first_match([m.digest() for m in macs], self._candidates)
        if index is None:
            raise _mismatch(self._scheme, len(macs), len(self._candidates))
        return _verified(index, self._timestamp, self._scheme)

    def __repr__(self) -> str:
        return "<Incremental in progress>" if self._macs is not None else "<Incremental finished>"


Incremental.__module__ = "qonto_webhooks"


class Verifier:
    """Verifies Qonto webhook signatures with one or more secrets. Thread-safe: build it once and
    share it. The pure-Python base of `qonto_webhooks.Verifier` (which adds the methods written
    in Python)."""

    __slots__ = ("_keys", "_tolerance", "_schemes")
    _keys: Tuple[_Key, ...]
    _tolerance: Optional[int]
    _schemes: str

    def __new__(
        cls,
        secret: Any,
        *,
        tolerance: Union[int, str, None] = DEFAULT_TOLERANCE,
        schemes: str = "business",
    ) -> "Verifier":
        window = _tolerance(tolerance)
        accepted = _schemes(schemes)
        secrets = _secrets(secret)
        for s in secrets:
            if not s:
                raise _empty_secret()
        if len(secrets) > MAX_SECRETS:
            raise _too_many_secrets()
        if not secrets:
            raise _no_secret()
        self = object.__new__(cls)
        object.__setattr__(self, "_keys", tuple(_Key(s) for s in secrets))
        object.__setattr__(self, "_tolerance", window)
        object.__setattr__(self, "_schemes", accepted)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise _not_writable(self, name)

    def __delattr__(self, name: str) -> None:
        raise _not_writable(self, name)

    def __reduce__(self) -> Any:
        raise TypeError(f"cannot pickle '{type(self).__name__}' object")

    @property
    def tolerance(self) -> Union[int, str]:
        """The replay window in seconds, or ``"disabled"``."""
        t = self._tolerance
        return _DISABLED if t is None else t

    @property
    def schemes(self) -> str:
        """The schemes ``verify_request`` accepts: ``"business"``, ``"onboarding"`` or
        ``"both"``."""
        return self._schemes

    @property
    def secret_count(self) -> int:
        """How many secrets this verifier holds."""
        return len(self._keys)

    def _tags(self, prefix: bytes, body: Union[bytes, bytearray]) -> List[bytes]:
        tags = []
        for key in self._keys:
            inner = key.inner.copy()
            if prefix:
                inner.update(prefix)
            inner.update(body)
            outer = key.outer.copy()
            outer.update(inner.digest())
            tags.append(outer.digest())
        return tags

    def _business(self, body: Union[bytes, bytearray], header: bytes, now: int) -> Verified:
        # The header every Qonto webhook carries, `t=<digits>,v1=<64 hex>`, read in a few C
        # calls; anything else (blanks, other items, several v1, errors) goes through the whole
        # grammar.
        candidates: Sequence[bytes] = ()
        if header[:2] == b"t=":
            t_text, sep, hex_sig = header[2:].partition(b",v1=")
            # Up to 19 digits cannot overflow 64 bits; unhexlify takes hex digits only.
            if len(hex_sig) == 64 and t_text.isdigit() and len(t_text) < 20:
                try:
                    candidates = (_unhexlify(hex_sig),)
                except (binascii.Error, ValueError):
                    pass
        if candidates:
            t = int(t_text)
        else:
            t_text, t, candidates = _parse_business(header)
        tolerance = self._tolerance
        if tolerance is not None and (t - now > tolerance or now - t > tolerance):
            raise _window(t, now, tolerance)  # type: ignore[misc]
        keys = self._keys
        if len(keys) == 1 and len(candidates) == 1:  # the common case, without the loops
            key = keys[0]
            inner = key.inner.copy()
            if len(body) <= _CONCAT_MAX:
                inner.update(t_text + b"." + body)
            else:
                inner.update(t_text + b".")
                inner.update(body)
            outer = key.outer.copy()
            outer.update(inner.digest())
            if _compare(outer.digest(), candidates[0]):
                return _verified(0, t, "business")
            raise _mismatch("business", 1, 1)
        index = _first_match(self._tags(t_text + b".", body), candidates)
        if index is None:
            raise _mismatch("business", len(keys), len(candidates))
        return _verified(index, t, "business")

    def _onboarding(self, body: Union[bytes, bytearray], header: bytes) -> Verified:
        candidate = _parse_onboarding(header)
        index = _first_match(self._tags(b"", body), [candidate])
        if index is None:
            raise _mismatch("onboarding", len(self._keys), 1)
        return _verified(index, None, "onboarding")

    def verify(self, body: Any, header: Any, *, now: Optional[int] = None) -> Verified:
        """Verifies a business webhook (``X-Qonto-Signature: t=<unix seconds>,v1=<hex>``).

        ``body`` is the raw request body (``bytes``, ``bytearray``, ``memoryview``, or ``str``
        used as UTF-8), byte for byte as received: never a parsed and re-serialised JSON.
        ``header`` is the header's value; ``None`` (an absent header) raises
        ``MissingHeaderError``. ``now`` is unix seconds, the system clock by default.

        Returns a ``Verified`` (``secret_index``, ``timestamp``). Raises a
        ``WebhookVerificationError`` subclass, checked in this order: the header
        (``missing_header``, ``malformed_header``, ``missing_timestamp``, ``missing_signature``),
        the window (``timestamp_too_old``, ``timestamp_in_future``, before any HMAC is computed),
        then ``signature_mismatch``. ``TypeError`` for arguments of the wrong type.

        >>> v = Verifier("test-secret")
        >>> v.verify(b'{"test":"data"}', "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805", now=1704110400).secret_index
        0
        """
        # The common types first, inline: this is the hot path.
        n = _clock() if now is None else _seconds(now, "now")
        h = header.encode() if type(header) is str and header.isascii() else _header(header)
        return self._business(body if type(body) is bytes else _body(body), h, n)

    def verify_onboarding(self, body: Any, header: Any) -> Verified:
        """Verifies an onboarding webhook (``Qonto-SHA256-Signature: <hex>``): the HMAC of the
        body alone.

        This scheme has no timestamp, so no replay window: a captured request stays valid
        forever; deduplicate on the event id. Returns a ``Verified`` whose ``timestamp`` is
        ``None``. Raises ``MissingHeaderError``, ``MalformedHeaderError`` or
        ``SignatureMismatchError``.
        """
        h = _header(header)
        return self._onboarding(_body(body), h)

    def _verify_request(
        self, business: Any, onboarding: Any, body: Any, *, now: Optional[int] = None
    ) -> Verified:
        """The other half of ``verify_request``: the values of the two signature headers
        (``None`` when absent). The verifier's ``schemes`` pick the header, never the request."""
        n = _now(now)
        b, o = _header(business), _header(onboarding)
        data = _body(body)
        scheme, header = _select(self._schemes, b, o)
        if scheme == "business":
            return self._business(data, header, n)
        return self._onboarding(data, header)

    def _start_request(
        self, business: Any, onboarding: Any, *, now: Optional[int] = None
    ) -> Incremental:
        """The other half of ``start_request``, as ``_verify_request``."""
        n = _now(now)
        b, o = _header(business), _header(onboarding)
        scheme, header = _select(self._schemes, b, o)
        if scheme == "business":
            return self._start_business(header, n)
        return self._start_onboarding(header)

    def _start_business(self, header: bytes, now: int) -> Incremental:
        t_text, t, candidates = _parse_business(header)
        error = _window(t, now, self._tolerance)
        if error is not None:
            raise error
        macs = [_Mac(key) for key in self._keys]
        for mac in macs:
            mac.update(t_text + b".")
        return Incremental._make(macs, "business", candidates, t)

    def _start_onboarding(self, header: bytes) -> Incremental:
        candidate = _parse_onboarding(header)
        macs = [_Mac(key) for key in self._keys]
        return Incremental._make(macs, "onboarding", [candidate], None)

    def start(self, header: Any, *, now: Optional[int] = None) -> Incremental:
        """Starts verifying a business webhook whose body arrives in chunks (e.g. an ASGI
        stream).

        The header and the window are checked now, so a stale request is refused before its body
        is read. Feed the body with ``update(chunk)``, then call ``finish()``: the verdict is the
        one ``verify`` gives for the whole body.

        >>> state = Verifier("test-secret").start("t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805", now=1704110400)
        >>> state.update(b'{"test":')
        >>> state.update(b'"data"}')
        >>> state.finish().secret_index
        0
        """
        n = _now(now)
        return self._start_business(_header(header), n)

    def start_onboarding(self, header: Any) -> Incremental:
        """Starts verifying an onboarding webhook whose body arrives in chunks."""
        return self._start_onboarding(_header(header))

    def __repr__(self) -> str:
        # Redacted: the number of secrets, never their bytes.
        return (
            f"<Verifier secrets={len(self._keys)} tolerance={self.tolerance} "
            f"schemes={self._schemes}>"
        )


#: The classes that stand for the native module's: their names show with their module.
_NATIVE_LIKE = (Verified, Incremental, Verifier)


def sign(secret: Any, body: Any, *, timestamp: Optional[int] = None) -> str:
    """Signs ``body`` as Qonto signs a business webhook: returns the ``X-Qonto-Signature`` value
    ``t=<timestamp>,v1=<hex>``. For tests and fixtures. ``timestamp`` defaults to now.

    >>> sign("test-secret", b'{"test":"data"}', timestamp=1704110400)
    't=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805'
    """
    t = unix_now() if timestamp is None else _seconds(timestamp, "timestamp")
    key = _one_secret(secret)
    data = _body(body)
    if not key:
        raise _empty_secret()
    mac = hmac.new(key, f"{t}.".encode(), hashlib.sha256)
    mac.update(data)
    return f"t={t},v1={mac.hexdigest()}"


def sign_onboarding(secret: Any, body: Any) -> str:
    """Signs ``body`` as Qonto signs an onboarding webhook: returns the
    ``Qonto-SHA256-Signature`` value (64 hex digits)."""
    key = _one_secret(secret)
    data = _body(body)
    if not key:
        raise _empty_secret()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def unix_now() -> int:
    """The system clock in unix seconds, as the verifier reads it."""
    return _clock()


_time = time.time


def _clock() -> int:
    """Unix seconds, 0 before 1970 (as the core's `unix_now`)."""
    now = int(_time())
    return now if now > 0 else 0


# --- diagnose (core/src/diagnose.rs) --------------------------------------------------------

_Variant = Tuple[bytes, Optional[str], str]


def _secret_variants(secret: bytes) -> List[_Variant]:
    out: List[_Variant] = [(secret, None, "")]
    if secret.startswith(b"whsec_"):
        tail = secret[len(b"whsec_") :]
        out.append(
            (
                tail,
                "secret_prefix",
                "the signature was made with the secret stripped of its whsec_ prefix; Qonto signs "
                "with the whole secret, prefix included",
            )
        )
        decoded = _b64decode_canonical(tail)
        if decoded is not None:
            out.append(
                (
                    decoded,
                    "secret_base64",
                    "the signature was made with the base64-decoded secret (as Svix-style libraries "
                    "do); Qonto signs with the secret's bytes as given, not decoded",
                )
            )
    else:
        out.append(
            (
                b"whsec_" + secret,
                "secret_prefix",
                "the secret given here lacks the whsec_ prefix that the signature was made with: "
                "pass the secret whole, prefix included",
            )
        )
        out.append(
            (
                b"whsec_" + base64.b64encode(secret),
                "secret_base64",
                "the secret given here is the base64-decoded form of the secret that signed: pass "
                "the whsec_ secret as Qonto returned it, without decoding it",
            )
        )
    # Rust's `trim_ascii`: space, \t, \n, \x0c (form feed), \r.
    trimmed = secret.strip(b" \t\n\x0c\r")
    if len(trimmed) != len(secret) and trimmed:
        out.append(
            (
                trimmed,
                "secret_whitespace",
                "the secret given here has spaces or a newline around it (often from a file or an "
                ".env line): trim it",
            )
        )
    return out


def _b64decode_canonical(text: bytes) -> Optional[bytes]:
    """Standard base64 with padding, canonical only (the `base64` crate's STANDARD engine)."""
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if base64.b64encode(decoded) == text else None


class _NotJson(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotJson(name)


def _no_nan_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NotJson(text)  # serde_json refuses numbers out of f64's range
    return value


def _parse_json(body: bytes) -> Tuple[bool, Any]:
    """serde_json's `from_slice::<Value>`, as near as the standard library gets: UTF-8 only,
    no NaN/Infinity, whitespace around allowed."""
    try:
        text = body.decode("utf-8")
        return True, json.loads(text, parse_constant=_reject_constant, parse_float=_no_nan_float)
    except (ValueError, RecursionError):
        return False, None


def _dumps(value: Any, **kw: Any) -> Optional[bytes]:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, **kw).encode("utf-8")
    except (ValueError, RecursionError):
        return None


def _ascii_escaped(text: Optional[bytes]) -> Optional[bytes]:
    if text is None:
        return None
    try:
        s = text.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if s.isascii():
        return None
    out = []
    for c in s:
        if c.isascii():
            out.append(c)
        else:
            units = c.encode("utf-16-be", "surrogatepass")
            for i in range(0, len(units), 2):
                out.append(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}")
    return "".join(out).encode("ascii")


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _body_variants(body: bytes) -> List[_Variant]:
    out: List[_Variant] = [(body, None, "")]

    def push(value: Optional[bytes], mistake: str, what: str) -> None:
        if value is not None and all(v[0] != value for v in out):
            out.append((value, mistake, what))

    nl = "body_trailing_newline"
    if body.endswith(b"\n"):
        stripped = body[:-1]
        if stripped.endswith(b"\r"):
            stripped = stripped[:-1]
        push(
            stripped,
            nl,
            "the body given here has a trailing newline that the signed body did not have (an "
            "editor, echo or a heredoc adds one)",
        )
    else:
        push(body + b"\n", nl, "the body given here lacks the trailing newline of the signed body")
    crlf = "body_line_endings"
    if b"\n" in body:
        lf = body.replace(b"\r", b"")
        push(lf, crlf, "the body given here has CRLF line endings where the signed body had LF")
        push(
            lf.replace(b"\n", b"\r\n"),
            crlf,
            "the body given here has LF line endings where the signed body had CRLF",
        )
    ok, value = _parse_json(body)
    if ok:
        reser = "body_reserialized"
        compact = _dumps(value, separators=(",", ":"))
        push(
            compact,
            reser,
            "the body given here was re-serialised from parsed JSON; Qonto signed a compact form "
            "(no spaces)",
        )
        push(
            _dumps(value, indent=2, separators=(",", ": ")),
            reser,
            "the body given here was re-serialised; Qonto signed it pretty-printed",
        )
        python = _dumps(value, separators=(", ", ": "))
        push(
            python,
            reser,
            'the body given here was re-serialised; Qonto signed it with ", " and ": " separators',
        )
        push(
            _dumps(_sorted(value), separators=(",", ":")),
            reser,
            "the body given here was re-serialised; Qonto signed it with its keys in another order",
        )
        push(
            _ascii_escaped(compact),
            reser,
            "the body given here was re-serialised; Qonto signed it with non-ASCII characters as "
            "\\u escapes",
        )
        push(
            _ascii_escaped(python),
            reser,
            "the body given here was re-serialised; Qonto signed it in Python's json.dumps "
            "default form (spaces and \\u escapes)",
        )
    return out


def _raw_body_advice(variant: _Variant) -> str:
    if variant[1] == "body_reserialized":
        return f"{variant[2]}: verify the raw request body, byte for byte, before any JSON parsing"
    return variant[2]


def _verdict(
    verifier: Verifier, scheme: str, body: bytes, header: bytes, now: int
) -> Tuple[Optional[Verified], Optional[WebhookVerificationError]]:
    try:
        if scheme == "business":
            return verifier._business(body, header, now), None
        return verifier._onboarding(body, header), None
    except WebhookVerificationError as e:
        return None, e


def _parses(parse: Any, header: bytes) -> bool:
    try:
        parse(header)
    except WebhookVerificationError:
        return False
    return True


def _explain(
    verifier: Verifier,
    secrets: List[bytes],
    scheme: str,
    header: bytes,
    body: bytes,
    now: int,
    tolerance: Optional[int],
    error: WebhookVerificationError,
) -> List[Tuple[str, str]]:
    findings: List[Tuple[str, str]] = []
    any_window = Verifier(secrets, tolerance=_DISABLED)

    if scheme == "business" and _parses(_parse_onboarding, header):
        ok = _verdict(verifier, "onboarding", body, header, now)[0] is not None
        verdict = "and it verifies as one" if ok else "though it does not verify as one either"
        findings.append(
            (
                "wrong_scheme",
                "this header is a Qonto-SHA256-Signature value (onboarding webhooks), not an "
                f"X-Qonto-Signature one, {verdict}: verify onboarding webhooks with the onboarding "
                "scheme",
            )
        )
        return findings
    if scheme == "onboarding" and _parses(_parse_business, header):
        ok = _verdict(verifier, "business", body, header, now)[0] is not None
        verdict = "and it verifies as one" if ok else "though it does not verify as one either"
        findings.append(
            (
                "wrong_scheme",
                "this header is an X-Qonto-Signature value (business webhooks), not a "
                f"Qonto-SHA256-Signature one, {verdict}: verify business webhooks with the business "
                "scheme",
            )
        )
        return findings

    parsed: Optional[Tuple[bytes, int, List[bytes]]] = None
    if scheme == "business":
        try:
            parsed = _parse_business(header)
        except WebhookVerificationError:
            return findings
    elif not _parses(_parse_onboarding, header):
        return findings

    if parsed is not None and error.code in ("timestamp_too_old", "timestamp_in_future"):
        t_text, t, _ = parsed
        valid = _verdict(any_window, "business", body, header, now)[0] is not None
        seconds = t // 1000
        if len(t_text.lstrip(b"0")) >= 13 and _window(seconds, now, tolerance) is None:
            note = " (the signature itself is valid)" if valid else ""
            findings.append(
                (
                    "timestamp_milliseconds",
                    f"t is in milliseconds ({t}); Qonto's t is in seconds: whoever signed this must "
                    f"use unix seconds{note}",
                )
            )
        elif valid:
            skew = abs(now - t)
            side = "behind" if t < now else "ahead of"
            findings.append(
                (
                    "clock_skew",
                    f"the signature is valid, but t is {skew} s {side} this machine's clock: either "
                    "the request is a late replay (reject it) or a clock is wrong (check NTP on this "
                    "server)",
                )
            )
        if valid or findings:
            return findings

    bodies = _body_variants(body)
    for index, secret in enumerate(secrets):
        for s_value, s_mistake, s_what in _secret_variants(secret):
            if not s_value:
                continue
            candidate = Verifier(s_value, tolerance=_DISABLED)
            for b in bodies:
                if s_mistake is None and b[1] is None:
                    continue
                if _verdict(candidate, scheme, b[0], header, now)[0] is None:
                    continue
                parts = []
                if s_mistake is not None:
                    parts.append(s_what)
                if b[1] is not None:
                    parts.append(_raw_body_advice(b))
                whose = f" (secret {index})" if len(secrets) > 1 else ""
                mistake = s_mistake or b[1] or "wrong_secret"
                findings.append((mistake, "; and ".join(parts) + whose))
    if parsed is not None:
        for candidate_sig in parsed[2]:
            hex_sig = binascii.hexlify(candidate_sig)
            if _verdict(verifier, "onboarding", body, hex_sig, now)[0] is not None:
                findings.append(
                    (
                        "body_signed_without_timestamp",
                        "the signature covers the body alone; Qonto's business scheme signs "
                        '"<t>.<body>": whoever signed this must prefix the body with the t value and '
                        "a dot",
                    )
                )
    if not findings:
        findings.append(
            (
                "wrong_secret",
                "no known mistake reproduces the signature: most likely the secret is not the one "
                "that signed (the API key instead of the webhook secret, another subscription's "
                "secret, sandbox vs production), or the body was changed in another way",
            )
        )
    return findings


def diagnose(
    secret: Any,
    body: Any,
    header: Any,
    *,
    onboarding: bool = False,
    now: Optional[int] = None,
    tolerance: Union[int, str, None] = DEFAULT_TOLERANCE,
) -> Tuple[bool, Optional[int], Optional[str], Optional[str], bool, List[Tuple[str, str]]]:
    """Says which known mistake explains why a webhook does not verify (the other half of
    ``qonto_webhooks.diagnose``)."""
    window = _tolerance(tolerance)
    secrets = _secrets(secret)
    h = _header(header)
    n = unix_now() if now is None else _seconds(now, "now")
    data = bytes(_body(body))
    scheme = "onboarding" if onboarding else "business"
    try:
        verifier = Verifier(secrets, tolerance=_DISABLED if window is None else window)
    except InvalidSecretError as e:
        return (False, None, e.code, e.message, False, [])
    result, error = _verdict(verifier, scheme, data, h, n)
    if result is not None:
        return (True, result.secret_index, None, None, False, [])
    assert error is not None
    findings = _explain(verifier, secrets, scheme, h, data, n, window, error)
    explained = any(m != "wrong_secret" for m, _ in findings)
    return (False, None, error.code, error.message, explained, findings)
