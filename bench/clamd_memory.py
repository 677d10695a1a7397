"""clamd memory and load time against synthetic databases of growing size (MP-AV-01, sizing).

The official ClamAV database cannot be downloaded on a machine without internet, so this
benchmark generates random but valid signatures, N of them, in the proportions of the official
set, starts clamd on them (`start_clamd`, a fresh work directory per N) and measures:

- load time (start of clamd until PING answers) and the `Loaded N signatures` line of its log;
- clamd's VmRSS and VmHWM (/proc/<pid>/status) right after the load;
- warm INSTREAM latency p50/p95 of 10 MB random files (default 20 runs, a new file each run:
  clamd caches clean files by hash, so the p50 of the same file sent again is shown apart as
  "cached"), then VmHWM again;
- that EICAR is FOUND (the test signatures of `write_test_database` are always included);
- optionally (--large-mb 100) one INSTREAM just under StreamMaxLength, then VmHWM again;
- optionally (--reload) the peak during a RELOAD: clamd's default ConcurrentDatabaseReload
  builds the new engine while the old one still serves scans.

It prints a table, a least-squares fit RSS(N) = a + b·N (and load(N)) over the sizes with N > 0,
and the extrapolation to the official set's size (--target, default 8.7 M signatures). The
extrapolation is from SYNTHETIC signatures: it is an estimate, not a measurement of the official
database (real body/logical signatures have lower-entropy patterns, PCRE and bytecode parts).

Composition. A snapshot of an unpacked official database (n01e0/sig2yar, README "DB Support
(Strict View)", 2026-02-17, non-comment lines per file type) counts mdb 2,670,547 (PE-section
MD5), hsb 521,446 (SHA256 file hashes), ldb 311,662 (logical), ndb 101,891 (extended body),
hdb 20,444 (MD5 file hashes) — the other types (fp, ldu, ndu, idb, pdb, wdb, ftm, cbc, …) are
< 0.5 % together and left out. The generator uses these shares of the five types: mdb 73.65 %,
hsb 14.38 %, ldb 8.60 %, ndb 2.81 %, hdb 0.56 %. The published total of the official set is
~8.6–8.7 M signatures (clamconf `Total number of signatures: 8629283`, Cisco-Talos/clamav#565;
clamscan `8.70M sigs`, Cisco-Talos/clamav#1370); ClamAV's Docker documentation gives "upwards of
1.2 GiB" to load it and ~2× that during a concurrent reload. Talos announced the retirement of
old signatures for December 2025 (blog.clamav.net/2025/11: main.cvd 163 → ~80 MB, daily.cvd 62 →
~22 MB); the snapshot above (~3.6 M lines, February 2026) is consistent with the smaller set, so
3,600,000 is worth measuring next to the 8.7 M of the older figures.

Assumptions where no numbers were found (formats from docs.clamav.net/manual/Signatures.html):
file and section sizes uniform in 1 KiB–4 MiB / 512 B–1 MiB; ndb patterns 16–120 bytes, a third
with one wildcard (`??`, `{n-m}` or `*`), targets 0/1/3/7 (PE entry-point offsets for some PE
ones); ldb 1–4 sub-signatures of 8–64 bytes joined by `&` (some `(0|1)&…`), Target 0/1;
names like `Win.Trojan.Agent-1234567-0` (length matters: names live in clamd's memory pool).

    uv run python bench/clamd_memory.py [--sizes 0,250000,500000,1000000,2000000] [--runs 20]
        [--reload] [--large-mb 100] [--target 8700000] [--seed 1] [--mix mdb=1] [--json out.json]

Sizes up to 8.7 M with --reload need ~5 GB of RAM. A new 10 MB file takes seconds to scan at
millions of synthetic signatures (2 cores, 2026-11-22): use a small --runs for large sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from manabi_scanner.engine import EICAR, start_clamd, write_test_database  # noqa: E402

MAX_BYTES = 100 * 1024 * 1024  # the scanner's StreamMaxLength (the API's upload limit)
SCAN_BYTES = 10 * 1024 * 1024
# Shares of the official set by file type (see the module docstring).
SNAPSHOT = {"mdb": 2_670_547, "hsb": 521_446, "ldb": 311_662, "ndb": 101_891, "hdb": 20_444}
SHARES = {kind: count / sum(SNAPSHOT.values()) for kind, count in SNAPSHOT.items()}
PLATFORMS = ("Win", "Doc", "Html", "Js", "Unix", "Pdf", "Andr", "Xls", "Osx", "Email")
CATEGORIES = ("Trojan", "Malware", "Exploit", "Dropper", "Downloader", "Packed", "Virus", "Adware")
FAMILIES = ("Agent", "Generic", "Emotet", "Zbot", "Ramnit", "Banker", "Phishing", "Kryptik")


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic test data, not security
        self.serial = 1_000_000

    def name(self) -> str:
        self.serial += 1
        rng = self.rng
        return (
            f"{rng.choice(PLATFORMS)}.{rng.choice(CATEGORIES)}.{rng.choice(FAMILIES)}"
            f"-{self.serial}-{rng.randrange(10)}"
        )

    def hexbytes(self, low: int, high: int) -> str:
        return self.rng.randbytes(self.rng.randint(low, high)).hex()

    def hdb(self) -> str:  # MD5:FileSize:Name
        return f"{self.rng.randbytes(16).hex()}:{self.rng.randint(1024, 4 << 20)}:{self.name()}"

    def hsb(self) -> str:  # SHA256:FileSize:Name
        return f"{self.rng.randbytes(32).hex()}:{self.rng.randint(1024, 4 << 20)}:{self.name()}"

    def mdb(self) -> str:  # PESectionSize:MD5:Name
        return f"{self.rng.randint(512, 1 << 20)}:{self.rng.randbytes(16).hex()}:{self.name()}"

    def body(self, low: int, high: int) -> str:
        """A hex pattern; a third get one wildcard between two static parts of ≥ 4 bytes."""
        rng = self.rng
        if rng.random() >= 1 / 3:
            return self.hexbytes(low, high)
        total = rng.randint(max(low, 8), max(high, 8))
        left = rng.randint(4, total - 4)
        wildcard = rng.choice(("??", f"{{{rng.randint(1, 8)}-{rng.randint(9, 64)}}}", "*"))
        return rng.randbytes(left).hex() + wildcard + rng.randbytes(total - left).hex()

    def ndb(self) -> str:  # Name:TargetType:Offset:HexSignature
        rng = self.rng
        target = rng.choice((0, 0, 0, 1, 1, 1, 3, 7))
        offset = rng.choice(("*", "*", "*", "0"))
        if target == 1 and rng.random() < 0.2:
            offset = f"EP+{rng.randrange(0, 512)}"
        return f"{self.name()}:{target}:{offset}:{self.body(16, 120)}"

    def ldb(self) -> str:  # Name;TargetDescriptionBlock;LogicalExpression;Subsig0;Subsig1;…
        rng = self.rng
        count = rng.choice((1, 2, 2, 3, 3, 4))
        if count >= 3 and rng.random() < 0.3:
            expression = "(0|1)&" + "&".join(str(i) for i in range(2, count))
        else:
            expression = "&".join(str(i) for i in range(count))
        subsigs = ";".join(self.body(8, 64) for _ in range(count))
        return f"{self.name()};Engine:51-255,Target:{rng.choice((0, 1, 1))};{expression};{subsigs}"


def write_database(db_dir: Path, n: int, seed: int, shares: dict[str, float]) -> dict[str, int]:
    """The test signatures plus N synthetic ones; returns the count per file type."""
    write_test_database(db_dir)
    generator = Generator(seed)
    counts = {kind: round(n * share) for kind, share in shares.items()}
    largest = max(counts, key=lambda kind: shares[kind])
    counts[largest] += n - sum(counts.values())
    for kind, count in counts.items():
        if count == 0:
            continue
        make = getattr(generator, kind)
        with (db_dir / f"synthetic.{kind}").open("w") as out:
            _write_lines(out, (make() for _ in range(count)))
    return counts


def _write_lines(out: TextIO, lines: Any) -> None:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == 50_000:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def loaded_signatures(log: Path) -> int | None:
    found = re.findall(r"Loaded (\d+) signatures", log.read_text() if log.exists() else "")
    return int(found[-1]) if found else None


def reload_peak(socket_path: Path, log: Path, pid: int, timeout: float = 600.0) -> dict[str, Any]:
    """RELOAD, sample VmRSS until the log says the reload is done; returns the peaks."""
    before = log.read_text().count("Database correctly reloaded")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(str(socket_path))
        sock.sendall(b"zRELOAD\0")
        answer = sock.recv(64).rstrip(b"\0").decode()
    started = time.monotonic()
    peak = 0.0
    while time.monotonic() - started < timeout:
        peak = max(peak, proc_status(pid)["VmRSS"])
        if log.read_text().count("Database correctly reloaded") > before:
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("clamd did not finish the reload")
    seconds = time.monotonic() - started
    time.sleep(1)  # the old engine is freed once its scans are done
    status = proc_status(pid)
    return {
        "answer": answer,
        "seconds": round(seconds, 1),
        "sampled_peak_rss_mb": round(peak, 1),
        "hwm_mb": round(status["VmHWM"], 1),
        "rss_after_mb": round(status["VmRSS"], 1),
    }


def measure(
    n: int, runs: int, seed: int, reload: bool, shares: dict[str, float], large_mb: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="clamd-memory-") as work:
        db = Path(work) / "db"
        started = time.monotonic()
        counts = write_database(db, n, seed, shares)
        generated = time.monotonic() - started
        db_bytes = sum(p.stat().st_size for p in db.iterdir())
        clamd_dir = Path(work) / "clamd"
        started = time.monotonic()
        clamd = start_clamd(clamd_dir, db, "synthetic", MAX_BYTES, timeout=1800)
        load_seconds = time.monotonic() - started
        try:
            pid = clamd.process.pid
            after_load = proc_status(pid)
            eicar = clamd.client.instream([EICAR])
            assert eicar.found, "EICAR was not found"
            data = os.urandom(SCAN_BYTES)
            assert not clamd.client.instream([data]).found  # warm
            # A new file each run: clamd caches the hashes of clean files, so the same bytes
            # again are not scanned again (that cached time is reported separately).
            times = []
            for _ in range(runs):
                data = os.urandom(SCAN_BYTES)
                start = time.perf_counter()
                result = clamd.client.instream([data])
                times.append((time.perf_counter() - start) * 1000)
                assert not result.found, result.signature
            cached = []
            for _ in range(runs):
                start = time.perf_counter()
                assert not clamd.client.instream([data]).found
                cached.append((time.perf_counter() - start) * 1000)
            after_scans = proc_status(pid)
            row: dict[str, Any] = {
                "n": n,
                "counts": counts,
                "db_mb": round(db_bytes / 2**20, 1),
                "generate_s": round(generated, 1),
                "loaded_signatures": loaded_signatures(clamd_dir / "clamd.log"),
                "load_s": round(load_seconds, 2),
                "rss_mb": round(after_load["VmRSS"], 1),
                "hwm_load_mb": round(after_load["VmHWM"], 1),
                "hwm_scans_mb": round(after_scans["VmHWM"], 1),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "cached_p50_ms": round(statistics.median(cached), 1),
                "eicar": eicar.signature,
            }
            if large_mb:
                large = os.urandom(large_mb * 2**20 - 4096)  # just under StreamMaxLength
                start = time.perf_counter()
                assert not clamd.client.instream([large]).found
                row["large_scan_ms"] = round((time.perf_counter() - start) * 1000, 1)
                row["hwm_large_mb"] = round(proc_status(pid)["VmHWM"], 1)
                del large
            if reload:
                row["reload"] = reload_peak(clamd_dir / "clamd.sock", clamd_dir / "clamd.log", pid)
        finally:
            clamd.stop()
    return row


def fit(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least squares y = a + b·x; returns a, b and R²."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in points)
    return a, b, (1 - ss_res / ss_tot) if ss_tot else 1.0


def report(rows: list[dict[str, Any]], target: int) -> dict[str, Any]:
    header = (
        f"{'N':>9} {'loaded':>9} {'DB MB':>7} {'load s':>7} {'RSS MB':>8} {'HWM load':>9} "
        f"{'HWM scan':>9} {'p50 ms':>7} {'p95 ms':>7} {'cached':>7}  EICAR"
    )
    print(header)
    for r in rows:
        print(
            f"{r['n']:>9,} {r['loaded_signatures'] or 0:>9,} {r['db_mb']:>7} {r['load_s']:>7} "
            f"{r['rss_mb']:>8} {r['hwm_load_mb']:>9} {r['hwm_scans_mb']:>9} {r['p50_ms']:>7} "
            f"{r['p95_ms']:>7} {r.get('cached_p50_ms', '-'):>7}  {r['eicar']}"
        )
    for r in rows:
        if "large_scan_ms" in r:
            print(
                f"large INSTREAM at N={r['n']:,}: {r['large_scan_ms']} ms, "
                f"VmHWM after it {r['hwm_large_mb']} MB"
            )
        if "reload" in r:
            print(f"reload at N={r['n']:,}: {r['reload']}")
    summary: dict[str, Any] = {"target_signatures": target}
    fitted = [r for r in rows if r["n"] > 0]
    largest = max((r["n"] for r in fitted), default=0)
    upper = [r for r in fitted if r["n"] >= largest / 2]
    # The curve is concave (fixed-size parts of the engine fill up first): a fit over all
    # points overestimates the slope at large N; the fit over the upper half shows the margin.
    for scope, points in (("all N>0", fitted), (f"N>={largest // 2:,}", upper)):
        if len(points) < 2:
            continue
        for key, label, unit in (
            ("rss_mb", "RSS after load", "MB"),
            ("hwm_scans_mb", "VmHWM after scans", "MB"),
            ("load_s", "load time", "s"),
        ):
            a, b, r2 = fit([(r["n"], r[key]) for r in points])
            at_target = a + b * target
            summary.setdefault(scope, {})[key] = {
                "a": round(a, 2),
                "b_per_million": round(b * 1e6, 2),
                "r2": round(r2, 4),
                "at_target": round(at_target, 1),
            }
            print(
                f"fit [{scope}] {label}: {a:.1f} {unit} + {b * 1e6:.1f} {unit} per million "
                f"signatures (R² {r2:.4f}) -> EXTRAPOLATED from synthetic signatures to "
                f"{target:,}: {at_target:.1f} {unit}"
            )
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,250000,500000,1000000,2000000")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", type=int, default=8_700_000)
    parser.add_argument("--reload", action="store_true", help="also measure a RELOAD's peak")
    parser.add_argument(
        "--large-mb", type=int, default=0, help="also scan one file of this size (MiB), then VmHWM"
    )
    parser.add_argument(
        "--mix",
        help="override the composition, e.g. mdb=1 or hsb=0.5,ldb=0.5 (diagnostics)",
    )
    parser.add_argument("--json", type=Path, help="write the rows and the fits to this file")
    args = parser.parse_args()
    shares = SHARES
    if args.mix:
        weights = {k: float(v) for k, v in (part.split("=") for part in args.mix.split(","))}
        unknown = set(weights) - set(SHARES)
        if unknown:
            parser.error(f"unknown signature types: {sorted(unknown)}")
        shares = {kind: weight / sum(weights.values()) for kind, weight in weights.items()}
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        row = measure(n, args.runs, args.seed, args.reload, shares, args.large_mb)
        print(json.dumps(row), flush=True)
        rows.append(row)
    summary = report(rows, args.target)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "fits": summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
