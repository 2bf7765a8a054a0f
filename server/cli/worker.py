"""`peerframe worker`: a process that claims queued jobs from the database and runs them, beside any app server."""

import os
import signal
import threading
from pathlib import Path

import typer

from server.cli.common import settings

PARENT = "PEERFRAME_WORKER_PARENT"  # the process id of the `peerframe serve` that started this worker


def _stop_when_orphaned(parent: int, stop: threading.Event) -> None:
    while not stop.wait(1):
        if os.getppid() != parent:
            stop.set()


def worker(
    once: bool = typer.Option(False, "--once", help="Run the jobs queued now, then stop."),
    poll: float = typer.Option(0.5, "--poll", min=0.05, help="Seconds between looks at an empty queue."),
) -> None:
    """Run queued jobs (big imports, REFI-QDA imports, big reports) until stopped; any number of workers, on any
    machine that reaches the database, share one queue. Ctrl-C or SIGTERM stops it after the job it is running."""
    from coding import jobs
    from coding.db import make_engine, migrate

    chosen = settings()
    engine = make_engine(chosen.database_url)
    migrate(engine)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.environ.get(PARENT, "")
    if parent.isdigit():  # started by `peerframe serve`: stop with it, however it ended
        threading.Thread(target=_stop_when_orphaned, args=(int(parent), stop), daemon=True).start()
    typer.echo(f"Peerframe worker on {chosen.database_url.split('@')[-1]}; results in {chosen.jobs_dir}", err=True)
    ran = jobs.work_through(engine, Path(chosen.jobs_dir), stop=stop, poll=poll, until_empty=once)
    engine.dispose()
    typer.echo(f"worker stopped after {ran} job{'' if ran == 1 else 's'}", err=True)
