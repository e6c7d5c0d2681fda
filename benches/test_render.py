"""Tests of the benchmark renderer (render.py) and of the collector that feeds it (collect.py):
the ratios and verdicts computed from known figures, the RESULTS.md blocks, bad input.

Run: python3 -m unittest discover -s benches -p 'test_*.py'"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import collect  # noqa: E402
import render  # noqa: E402

MACHINE = {"cpu": "Test CPU", "cores": 2, "load_average": [0.5, 0.25, 0.1], "os": "Linux"}


def doc(bench, rows, **extra):
    d = {
        "bench": bench,
        "date": "2026-11-24",
        "machine": MACHINE,
        "params": {},
        "rows": rows,
        "notes": [],
    }
    d.update(extra)
    return d


def row(case, contender, value, unit="ns", **extra):
    r = {"case": case, "contender": contender, "value": value, "unit": unit}
    r.update(extra)
    return r


def line_of(text, start):
    """The one markdown table row that starts with `start`."""
    found = [line for line in text.splitlines() if line.startswith(start)]
    assert len(found) == 1, (start, text)
    return [cell.strip() for cell in found[0].strip("|").split("|")]


class Core(unittest.TestCase):
    def core_doc(self, ours64, ours1k, ours1m):
        rows = []
        for size, case, ours, floor in (
            (64, "64 B", ours64, 217.0),
            (1024, "1 KiB", ours1k, 690.0),
            (1 << 20, "1 MiB", ours1m, 517270.0),
        ):
            rows += [
                row(case, "qonto-webhooks", ours, group="business", size=size),
                row(case, "a-ring-floor", floor, group="business", size=size),
                row(case, "b-rustcrypto", floor - 40, group="business", size=size),
                row(case, "c-naive", floor * 1.5, group="business", size=size),
            ]
        rows += [
            row("business", "qonto-webhooks", 68.0, group="parse_header"),
            row("business", "c-naive", 77.0, group="parse_header"),
        ]
        return doc("core", rows, params={"rounds": 3})

    def test_the_published_figures_give_the_published_verdicts(self):
        text = render.render(self.core_doc(232.0, 704.0, 516830.0))
        self.assertEqual(
            line_of(text, "| 64 B"),
            [
                "64 B",
                "232 ns (263 MiB/s)",
                "217 ns (281 MiB/s)",
                "177 ns (345 MiB/s)",
                "326 ns (188 MiB/s)",
                "+15 ns",
                "yes (<= +30 ns)",
            ],
        )
        self.assertEqual(line_of(text, "| 1 KiB")[-2:], ["1.020x", "yes (within 5%)"])
        cells = line_of(text, "| 1 MiB")
        self.assertEqual(cells[1], "516.83 µs (1,935 MiB/s)")
        self.assertEqual(cells[-2:], ["0.999x", "yes (>= 95% of (a) throughput)"])
        self.assertEqual(line_of(text, "| business"), ["business", "68 ns", "77 ns"])
        self.assertIn("lowest median of 3 criterion runs", text)
        self.assertIn("Measured 2026-11-24: Test CPU, 2 cores, load average 0.50 0.25 0.10", text)

    def test_a_missed_target_says_no(self):
        text = render.render(self.core_doc(250.0, 730.0, 560000.0))
        self.assertEqual(line_of(text, "| 64 B")[-2:], ["+33 ns", "NO (<= +30 ns)"])
        self.assertEqual(line_of(text, "| 1 KiB")[-2:], ["1.058x", "NO (within 5%)"])
        self.assertEqual(line_of(text, "| 1 MiB")[-1], "NO (>= 95% of (a) throughput)")

    def test_a_missing_contender_is_a_dash(self):
        d = self.core_doc(232.0, 704.0, 516830.0)
        d["rows"] = [
            r for r in d["rows"] if not (r["contender"] == "a-ring-floor" and r["case"] == "64 B")
        ]
        cells = line_of(render.render(d), "| 64 B")
        self.assertEqual(cells[2], "-")
        self.assertEqual(cells[-2:], ["-", "-"])

    def test_instructions_difference(self):
        rows = [
            row("64 B", n, v, "instructions", group="business", size=64)
            for n, v in (
                ("qonto-webhooks", 7956),
                ("a-ring-floor", 7688),
                ("b-rustcrypto", 11277),
                ("c-naive", 22317),
            )
        ]
        text = render.render(doc("core-instructions", rows))
        self.assertEqual(line_of(text, "| 64 B"), ["64 B", "7956", "7688", "11277", "22317", "268"])


class Bindings(unittest.TestCase):
    def test_python_speedups_and_targets(self):
        rows = [
            row("256 B", "qonto_webhooks (abi3-py39)", 0.46e-6, "s", size=256),
            row("256 B", "qonto_webhooks (abi3-py311)", 0.43e-6, "s", size=256),
            row("256 B", render.PY_A, 2.55e-6, "s", size=256),
            row("256 B", render.PY_B, 1.00e-6, "s", size=256),
            row("256 B", render.PY_C, 4.72e-6, "s", size=256),
            row("256 B", render.PY_FALLBACK, 2.93e-6, "s", size=256),
        ]
        for c, one, two, up in (
            ("qonto_webhooks (abi3-py39)", 8840e-6, 4548e-6, 1.96),
            ("(b) hmac.digest (abi3-py39)", 10051e-6, 5163e-6, 1.96),
        ):
            rows += [
                row("1 thread", c, one, "s", group="threads"),
                row("2 threads", c, two, "s", group="threads"),
                row("speed-up", c, up, "x", group="threads"),
            ]
        text = render.render(doc("python", rows, params={"threads_total": 16, "threads_pairs": 25}))
        self.assertEqual(
            line_of(text, "| 256 B | 0.46"),
            [
                "256 B",
                "0.46 µs",
                "0.43 µs",
                "2.55 µs",
                "1.00 µs",
                "4.72 µs",
                "5.54× (≥ 3× ok)",
                "2.17× (≥ 2.5× MISSED)",
                "10.26× (≥ 5× ok)",
            ],
        )
        self.assertEqual(
            line_of(text, "| 256 B | 2.93"),
            [
                "256 B",
                "2.93 µs",
                "2.55 µs",
                "1.00 µs",
                "0.87× (≥ 1× MISSED)",
                "0.34× (≥ 1× MISSED)",
            ],
        )
        self.assertIn(
            "Threads, ours (abi3-py39): 16 verifications of 1 MiB take 8840 µs on one "
            "thread, 4548 µs on two (medians of 25 alternating runs): 1.96× the "
            "throughput (target ≥ 1.7×: ok).",
            text,
        )
        self.assertIn("Threads, (b) hmac.digest (control)", text)
        self.assertIn(
            "Targets missed in this run: 256 B vs (b) hmac.digest, fallback 256 B vs "
            "(a) hmac.new+hexdigest, fallback 256 B vs (b) hmac.digest.",
            text,
        )

    def test_node_ratios(self):
        rows = [
            row("256 B", n, v, "µs", size=256)
            for n, v in zip(render.NODE, (0.42, 4.0, 3.42, 4.37, 14.3))
        ]
        text = render.render(doc("node", rows, params={"harness": "mitata"}))
        self.assertEqual(
            line_of(text, "| 256 B"),
            ["256 B", "0.42", "4.00", "3.42", "4.37", "14.3", "8.1×", "10.4×", "34.0×", "0.85×"],
        )
        self.assertIn("mitata; mean µs per verification", text)

    def test_node_missing_contender_is_an_error(self):
        rows = [row("256 B", n, 1.0, "µs", size=256) for n in render.NODE[:-1]]
        with self.assertRaisesRegex(render.BadInput, "standardwebhooks"):
            render.render(doc("node", rows))

    def test_c_abi_difference(self):
        rows = [
            row("verify 256 B", "rust", 334, group="criterion", runs=[334, 347, 342]),
            row("verify 256 B", "c_abi", 341, group="criterion", runs=[341, 385, 352]),
            row("verify 256 B", "rust", 326.5, group="interleaved"),
            row("verify 256 B", "c_abi", 336.1, group="interleaved"),
        ]
        text = render.render(doc("c-abi", rows, params={"interleaved_batch": 2000}))
        self.assertEqual(
            line_of(text, "| Rust API"), ["Rust API (`Verifier::verify`)", "334", "334 347 342"]
        )
        self.assertEqual(line_of(text, "| C ABI minus"), ["C ABI minus Rust", "+7", ""])
        self.assertIn("Rust 326.5 ns, C ABI 336.1 ns, difference +9.6 ns", text)

    def test_go_ratio(self):
        rows = [
            row("256B", "qontowebhooks", 387.0, size=256, detail="0 B, 0 allocs"),
            row("256B", "crypto_hmac", 788.0, size=256, detail="657 B, 12 allocs"),
        ]
        text = render.render(doc("go", rows))
        self.assertEqual(
            line_of(text, "| 256B"),
            ["256B", "387 (0 B, 0 allocs)", "788 (657 B, 12 allocs)", "2.04x"],
        )

    def test_an_unknown_bench_gets_a_plain_table(self):
        text = render.render(doc("other", [row("x", "ours", 1.5, "ms")], notes=["A note."]))
        self.assertEqual(line_of(text, "| x"), ["x", "1.5 ms"])
        self.assertIn("A note.", text)


class Files(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def path(self, name, content=None):
        p = os.path.join(self.dir.name, name)
        if content is not None:
            with open(p, "w") as f:
                f.write(content if isinstance(content, str) else json.dumps(content))
        return p

    def run_main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = render.main(list(argv))
        return code, out.getvalue(), err.getvalue()

    def go(self, ours):
        return doc(
            "go",
            [
                row("256B", "qontowebhooks", ours, size=256),
                row("256B", "crypto_hmac", 800.0, size=256),
            ],
        )

    def test_write_replaces_its_block_and_keeps_the_rest(self):
        results = self.path("RESULTS.md", "# Results\n\nHand-written text.\n")
        code, _, _ = self.run_main("--write", results, self.path("go.json", self.go(400.0)))
        self.assertEqual(code, 0)
        code, _, _ = self.run_main("--write", results, self.path("go.json", self.go(200.0)))
        self.assertEqual(code, 0)
        with open(results) as f:
            text = f.read()
        self.assertTrue(text.startswith("# Results\n\nHand-written text.\n"))
        self.assertEqual(text.count("<!-- render.py: go -->"), 1)
        self.assertIn("4.00x", text)
        self.assertNotIn("2.00x", text)

    def test_print_orders_the_benches(self):
        node = doc("node", [row("256 B", n, 1.0, "µs", size=256) for n in render.NODE])
        code, out, _ = self.run_main(
            self.path("go.json", self.go(400.0)), self.path("node.json", node)
        )
        self.assertEqual(code, 0)
        self.assertLess(out.index("### Node"), out.index("### Go"))

    def test_bad_input_is_a_clear_error(self):
        cases = {
            "not JSON": "{",
            "no 'rows'": {"bench": "go", "date": "x", "machine": {}},
            "row 0 has no 'value'": doc("go", [{"case": "a", "contender": "b", "unit": "ns"}]),
            "value is not a number": doc("go", [row("a", "b", "1")]),
            "No such file": None,
        }
        for i, (message, content) in enumerate(cases.items()):
            code, out, err = self.run_main(self.path(f"{i}.json", content))
            self.assertEqual(code, 2, message)
            self.assertIn(message, err)
            self.assertEqual(out, "")
        code, _, err = self.run_main()
        self.assertEqual(code, 2)
        self.assertIn("Usage", err)


class Collect(unittest.TestCase):
    def test_bencher_keeps_the_fastest_run(self):
        log = (
            "test verify_256B/rust ... bench:         334 ns/iter (+/- 3)\n"
            "test verify_256B/c_abi ... bench:       1,341 ns/iter (+/- 9)\n"
            "interleaved verify_256B rust 326.5 c_abi 336.1 ns\n"
            "test verify_256B/rust ... bench:         330 ns/iter (+/- 3)\n"
        )
        d = collect.from_bencher(log)
        rust = [r for r in d["rows"] if r["contender"] == "rust" and r["group"] == "criterion"]
        self.assertEqual((rust[0]["value"], rust[0]["runs"]), (330.0, [334.0, 330.0]))
        abi = [r for r in d["rows"] if r["contender"] == "c_abi" and r["group"] == "criterion"]
        self.assertEqual(abi[0]["value"], 1341.0)
        self.assertEqual(d["bench"], "c-abi")
        self.assertEqual(sorted(d["machine"]), ["cores", "cpu", "load_average", "os"])

    def test_gotest(self):
        log = (
            "go version go1.27.3 linux/amd64\n"
            "BenchmarkVerify/qontowebhooks/256B-2  3000000  387.5 ns/op  660.65 MB/s"
            "  0 B/op  0 allocs/op\n"
            "BenchmarkVerify/crypto_hmac/256B-2  1500000  788.0 ns/op  324.87 MB/s"
            "  657 B/op  12 allocs/op\n"
            "BenchmarkVerify/qontowebhooks/256B-2  3000000  380.0 ns/op  670.00 MB/s"
            "  0 B/op  0 allocs/op\n"
        )
        d = collect.from_gotest(log)
        ours = [r for r in d["rows"] if r["contender"] == "qontowebhooks"][0]
        self.assertEqual(
            (ours["value"], ours["size"], ours["detail"]), (380.0, 256, "0 B, 0 allocs")
        )
        self.assertEqual(d["machine"]["runtime"], "go1.27.3")

    def test_a_row_without_its_measurement_is_refused(self):
        with self.assertRaisesRegex(ValueError, "lacks value"):
            collect.document("x", [{"case": "a", "contender": "b", "unit": "ns"}])


if __name__ == "__main__":
    unittest.main()
