#!/usr/bin/env python3
"""Turns the shared vectors (testkit/vectors/vectors.json) and the request-level cases
(testkit/vectors/requests.json) into C data for the C and C++ tests.

Usage: gen_vectors.py VECTORS_JSON REQUESTS_JSON OUTPUT_H. Run at build time by test.sh, so the
tests always see the files as they are now. Every byte is written as an octal escape and every
length explicitly, so any byte (NUL, newline, UTF-8) survives.
"""

import base64
import json
import sys


def c_bytes(data: bytes) -> str:
    return '"' + "".join(f"\\{b:03o}" for b in data) + '"'


def c_optional(header) -> str:
    """A header that may be absent (JSON null): {present, bytes}."""
    if header is None:
        return "false, {0, 0}"
    data = header.encode("utf-8")
    return f"true, {{{c_bytes(data)}, {len(data)}}}"


def request_cases(source: str) -> list:
    with open(source, encoding="utf-8") as f:
        cases = json.load(f)
    lines = [
        "typedef struct {",
        "  const char *name; const char *schemes;",
        "  size_t secrets_len; tv_bytes secrets[16];",
        "  bool has_business; tv_bytes business; bool has_onboarding; tv_bytes onboarding;",
        "  tv_bytes body; uint64_t now; bool has_tolerance; uint64_t tolerance;",
        "  const char *expect; const char *scheme; size_t secret_index;",
        "  const char *message_contains;",
        "} request_case;",
        "static const request_case REQUEST_CASES[] = {",
    ]
    for c in cases:
        if c["schemes"] not in ("business", "onboarding", "both"):
            sys.exit(f"{c['name']}: unknown schemes {c['schemes']}")
        secrets = [s.encode("utf-8") for s in c["secrets"]]
        if len(secrets) > 16:
            sys.exit(f"{c['name']}: more than 16 secrets; raise the array size")
        secret_items = ", ".join(f"{{{c_bytes(s)}, {len(s)}}}" for s in secrets) or "{0, 0}"
        body = base64.b64decode(c["body_b64"])
        tolerance = c["tolerance"]
        contains = c.get("message_contains")
        lines.append(
            "  {"
            + f'{c_bytes(c["name"].encode("utf-8"))}, "{c["schemes"]}", '
            + f"{len(secrets)}, {{{secret_items}}}, "
            + f"{c_optional(c['business'])}, {c_optional(c['onboarding'])}, "
            + f"{{{c_bytes(body)}, {len(body)}}}, UINT64_C({c['now']}), "
            + f"{str(tolerance is not None).lower()}, UINT64_C({tolerance or 0}), "
            + f'"{c["expect"]}", "{c.get("scheme") or ""}", {c.get("secret_index") or 0}, '
            + (c_bytes(contains.encode("utf-8")) if contains is not None else "NULL")
            + "},"
        )
    lines += [
        "};",
        "static const size_t REQUEST_CASES_LEN = sizeof REQUEST_CASES / sizeof REQUEST_CASES[0];",
    ]
    return lines


def main() -> None:
    source, requests, output = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(source, encoding="utf-8") as f:
        vectors = json.load(f)
    lines = [
        "/* Generated from vectors.json and requests.json by gen_vectors.py at build time: do not",
        "   edit. */",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "#include <stdbool.h>",
        "typedef struct { const char *data; size_t len; } tv_bytes;",
        "typedef struct {",
        "  const char *name; bool onboarding;",
        "  size_t secrets_len; tv_bytes secrets[16];",
        "  tv_bytes header; tv_bytes body; uint64_t now;",
        "  bool has_tolerance; uint64_t tolerance;",
        "  const char *expect; size_t secret_index;",
        "  const char *message; /* the core's exact words for a rejection; NULL when accepted */",
        "} test_vector;",
        "static const test_vector TEST_VECTORS[] = {",
    ]
    for v in vectors:
        if v["scheme"] not in ("business", "onboarding"):
            sys.exit(f"{v['name']}: unknown scheme {v['scheme']}")
        secrets = [s.encode("utf-8") for s in v["secrets"]]
        if len(secrets) > 16:
            sys.exit(f"{v['name']}: more than 16 secrets; raise the array size")
        secret_items = ", ".join(f"{{{c_bytes(s)}, {len(s)}}}" for s in secrets) or "{0, 0}"
        header = v["header"].encode("utf-8")
        body = base64.b64decode(v["body_b64"])
        tolerance = v["tolerance"]
        lines.append(
            "  {"
            + f"{c_bytes(v['name'].encode('utf-8'))}, {str(v['scheme'] == 'onboarding').lower()}, "
            + f"{len(secrets)}, {{{secret_items}}}, "
            + f"{{{c_bytes(header)}, {len(header)}}}, {{{c_bytes(body)}, {len(body)}}}, "
            + f"UINT64_C({v['now']}), {str(tolerance is not None).lower()}, "
            + f'UINT64_C({tolerance or 0}), "{v["expect"]}", {v.get("secret_index") or 0}, '
            + (c_bytes(v["message"].encode("utf-8")) if "message" in v else "NULL")
            + "},"
        )
    lines += [
        "};",
        "static const size_t TEST_VECTORS_LEN = sizeof TEST_VECTORS / sizeof TEST_VECTORS[0];",
    ]
    lines += request_cases(requests)
    lines.append("")
    with open(output, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
