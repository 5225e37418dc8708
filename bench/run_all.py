"""Run every benchmark and write BENCHMARKS.md (date, machine, each bench's command and figures).

    .venv/bin/python bench/run_all.py [--out BENCHMARKS.md] [--skip scale] [--timeout 1800]
        [--scale-args "--embed-budget 120"]

Benches run one after another (never in parallel: they would measure each other). Each runs on the
published index and the configured settings (SENTRA_* environment), as its own script would.
A bench that fails or times out is recorded as such; the others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
PYTHON = sys.executable


def benches(scale_args: list[str], json_dir: Path) -> dict[str, list[str]]:
    return {
        "latency": [PYTHON, "bench/latency.py", "--dev", str(DEV)],
        "embedder": [PYTHON, "bench/embedder.py"],
        "parse_speed": [PYTHON, "bench/parse_speed.py"],
        "index_times": [PYTHON, "bench/index_times.py"],
        "scale": [PYTHON, "bench/scale.py", "--json", str(json_dir / "scale.json"), *scale_args],
        "eval": [PYTHON, "-m", "assistant", "eval", str(DEV), "--baseline", "--answers", "--json"],
        "load_replicas": [PYTHON, "bench/load.py", "--replicas", "2", "--clients", "20", "--questions", "10"],
        "dense_scale": [PYTHON, "bench/dense_scale.py", "--points", "239414,500000", "--project", "1000000"],
    }


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores",
        f"- RAM: {memory}",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_version()}",
    ]


def without_items(data):
    """The eval JSON without its per-question rows, which belong in the raw output, not a summary."""
    if isinstance(data, dict):
        return {k: without_items(v) for k, v in data.items() if k != "items"}
    if isinstance(data, list):
        return [without_items(v) for v in data]
    return data


def run(name: str, command: list[str], timeout: float) -> dict:
    started = time.perf_counter()
    try:
        done = subprocess.run(command, check=False, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout)
        status = "ok" if done.returncode == 0 else f"gagal (kode {done.returncode})"
        output, errors = done.stdout, done.stderr
    except subprocess.TimeoutExpired as error:
        status = f"dihentikan setelah {timeout:.0f} s"
        output = (error.stdout or b"").decode(errors="replace") if isinstance(error.stdout, bytes) else (error.stdout or "")
        errors = ""
    seconds = time.perf_counter() - started
    print(f"{name}: {status} ({seconds:.0f} s)", flush=True)
    return {"status": status, "seconds": seconds, "output": output, "errors": errors}


def section(name: str, command: list[str], result: dict, json_dir: Path) -> list[str]:
    shown = " ".join(shlex.quote(part if part != PYTHON else "python") for part in command)
    lines = [f"## {name}", "", f"`{shown}` — {result['status']}, {result['seconds']:.0f} s", ""]
    output = result["output"].strip()
    if name == "eval" and result["status"] == "ok":
        try:
            output = json.dumps(without_items(json.loads(output)), indent=1, ensure_ascii=False)
        except json.JSONDecodeError:
            pass
    if name == "scale" and (json_dir / "scale.json").exists():
        lines += ["Figures (JSON):", "", "```json", (json_dir / "scale.json").read_text(encoding="utf-8").strip(), "```", ""]
        # The human-readable report is the block after the first blank line of the output.
        output = output.split("\n\n", 1)[-1]
    lines += ["```", output or "(tidak ada keluaran)", "```", ""]
    if result["status"] != "ok" and result["errors"].strip():
        lines += ["stderr (last lines):", "", "```", "\n".join(result["errors"].strip().splitlines()[-15:]), "```", ""]
    return lines


def kept_sections(existing: str, lines: list[str], rerun: list[str]) -> list[str]:
    """An --only run replaces its own sections of the existing file and keeps every other one as it was."""
    head, *parts = existing.split("\n## ")
    sections = {part.split("\n", 1)[0].strip(): "## " + part.rstrip("\n") for part in parts}
    fresh = "\n".join(lines).split("\n## ")[1:]
    for part in fresh:
        sections[part.split("\n", 1)[0].strip()] = "## " + part.rstrip("\n")
    note = f"Sections {', '.join(rerun)} re-run with `--only` on {time.strftime('%Y-%m-%d %H:%M %Z')}; the others are as written above."
    return [head.rstrip("\n"), "", note, "", *("\n".join([text, ""]) for text in sections.values())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "BENCHMARKS.md")
    parser.add_argument("--skip", action="append", default=[], help="bench to leave out (repeatable)")
    parser.add_argument("--only", action="append", default=[], help="run only these benches (repeatable)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per bench")
    parser.add_argument("--scale-args", default="", help="extra arguments for bench/scale.py")
    parser.add_argument("--json-dir", type=Path, default=Path("/tmp/sentra-bench-json"))
    parser.add_argument(
        "--scale-from", type=Path, help="do not run bench/scale.py; report the figures of an earlier `scale.py --json` run"
    )
    args = parser.parse_args()
    args.json_dir.mkdir(parents=True, exist_ok=True)

    selected = {
        name: command
        for name, command in benches(shlex.split(args.scale_args), args.json_dir).items()
        if name not in args.skip and (not args.only or name in args.only)
    }
    lines = [
        "# Benchmarks",
        "",
        f"Written by `bench/run_all.py` on {time.strftime('%Y-%m-%d %H:%M %Z')}. Benches ran one after another;",
        "figures depend on what else the machine was doing at the time.",
        "",
        "Machine:",
        "",
        *machine(),
        "",
    ]
    if args.scale_from:
        selected.pop("scale", None)
    for name, command in selected.items():
        result = run(name, command, args.timeout)
        lines += section(name, command, result, args.json_dir)
    if args.scale_from:
        sys.path.insert(0, str(PROJECT_ROOT / "bench"))
        from scale import format_report

        figures = json.loads(args.scale_from.read_text(encoding="utf-8"))
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(args.scale_from.stat().st_mtime))
        lines += [
            "## scale",
            "",
            f"Not run again: figures of an earlier `bench/scale.py --json` run ({stamp}, {args.scale_from.name}).",
            "",
            "```",
            format_report(figures),
            "```",
            "",
            "```json",
            json.dumps(figures, indent=1),
            "```",
            "",
        ]
    if args.only and args.out.exists():
        lines = kept_sections(args.out.read_text(encoding="utf-8"), lines, list(selected))
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"ditulis: {args.out}")


if __name__ == "__main__":
    main()
