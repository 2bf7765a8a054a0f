"""How long the `peerframe` command takes to start: its help, a command that needs no database, and one that does.

Runs `python -m server.cli --help`, `... frameworks list` and `... users list` as fresh processes, 10 times
each after one unmeasured warm-up run, and prints the median and the fastest wall time of each in ms. `users list`
gets PEERFRAME_DATABASE_URL pointing at an SQLite file in a temporary folder (made, migrated and given the local
user by the warm-up run, so the timed runs only read it); the folder is removed at the end. Help and `frameworks
list` should import neither the database layer nor spaCy, Word or Excel; `users list` pays for the database.
About half a minute.
Run: python3 bench/cli_startup.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 10
COMMANDS = (["--help"], ["frameworks", "list"], ["users", "list"])


def wall_times(arguments: list[str], env: dict[str, str]) -> list[float]:
    """Milliseconds each of RUNS fresh `python -m server.cli ARGUMENTS` processes takes, after one warm-up."""
    command = [sys.executable, "-m", "server.cli", *arguments]
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="peerframe-bench-") as folder:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PEERFRAME_DATABASE_URL": f"sqlite:///{Path(folder) / 'cli.db'}"}
        print(f"peerframe start-up, {RUNS} runs each (python {sys.version.split()[0]}):")
        for arguments in COMMANDS:
            times = wall_times(arguments, env)
            print(f"  {' '.join(arguments):<16} median {statistics.median(times):6.0f} ms   min {min(times):6.0f} ms")


if __name__ == "__main__":
    main()
