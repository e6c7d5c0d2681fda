#!/usr/bin/env python3
"""Turns the shared vectors (core/tests/data/vectors.json) into C data for the C and C++ tests.

Usage: gen_vectors.py VECTORS_JSON OUTPUT_H. Run at build time by test.sh, so the tests always
see the vector file as it is now. Every byte is written as an octal escape and every length
explicitly, so any byte (NUL, newline, UTF-8) survives.
"""
import base64
import json
import sys


def c_bytes(data: bytes) -> str:
    return '"' + "".join(f"\\{b:03o}" for b in data) + '"'


def main() -> None:
    source, output = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        vectors = json.load(f)
    lines = [
        "/* Generated from vectors.json by gen_vectors.py at build time: do not edit. */",
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
            + f"UINT64_C({tolerance or 0}), \"{v['expect']}\", {v.get('secret_index') or 0}"
            + "},"
        )
    lines += [
        "};",
        "static const size_t TEST_VECTORS_LEN = sizeof TEST_VECTORS / sizeof TEST_VECTORS[0];",
        "",
    ]
    with open(output, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
