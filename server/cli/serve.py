"""`peerframe serve`: the web application, and the worker processes that run its jobs."""

import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

import typer

from server.cli.common import fail, settings
from server.cli.worker import PARENT


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="Create the demo project (once) and run single-user."),
    single_user: bool = typer.Option(False, "--single-user", help="Run without login as the one local user."),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes (for a team on PostgreSQL)."),
    job_workers: int = typer.Option(1, "--job-workers", min=0,
                                    help="Worker processes for big imports and reports (0: the server runs them "
                                         "itself; more can run elsewhere with `peerframe worker`)."),
) -> None:
    """Run the web application: signed-in team use, or single-user on this machine only."""
    import uvicorn

    from coding import store
    from coding.db import make_engine, migrate, session_for
    from coding.team import accounts
    from server.app import create_app, is_loopback

    single = demo or single_user
    if single and not is_loopback(host):
        fail(f"single-user mode runs without login, so it only listens on a loopback address, not {host}")
    chosen = settings(demo=demo, single_user=single)
    engine = make_engine(chosen.database_url)
    migrate(engine)
    with session_for(engine) as session:
        if demo:
            from coding.demo import seed_demo

            seed_demo(session, user=store.ensure_user(session, name=chosen.single_user_name),
                      single_user=chosen.single_user)
        needs_admin = not single and not accounts.has_admin(session)
    engine.dispose()
    typer.echo(f"Peerframe on http://{host}:{port}  ({'single-user' if single else 'sign-in required'}; "
               f"database: {chosen.database_url.split('@')[-1]}; workers: {workers})")
    if needs_admin:
        typer.echo(f"No administrator yet: open http://{host}:{port}/setup to create one "
                   "(or run: peerframe users add NAME --admin --password-stdin)")
    served = chosen.model_copy(update={"demo": False, "jobs_in_process": job_workers == 0})
    with _job_workers(job_workers, served.database_url):
        if workers == 1:
            uvicorn.run(create_app(served), host=host, port=port, log_level="info")
            return
        os.environ["PEERFRAME_SINGLE_USER"] = "true" if single else "false"
        os.environ["PEERFRAME_DATABASE_URL"] = chosen.database_url
        os.environ["PEERFRAME_JOBS_IN_PROCESS"] = "true" if job_workers == 0 else "false"
        os.environ.pop("PEERFRAME_DEMO", None)
        uvicorn.run("server.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


@contextmanager
def _job_workers(count: int, database_url: str) -> Iterator[None]:
    """`count` `peerframe worker` processes on this database while the server runs, each started again if it
    fails (one stopped by Ctrl-C or SIGTERM exits 0 and is not); stopped with the server (a job one was running
    is left to be recovered, as after any stop)."""
    environment = {**os.environ, "PEERFRAME_DATABASE_URL": database_url, PARENT: str(os.getpid())}

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "server.cli", "worker"], env=environment)

    started = [start() for _ in range(count)]
    # uvicorn ends by raising the signal that stopped it again: let SIGTERM unwind to the `finally` below
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    stopping, changing = threading.Event(), threading.Lock()

    def watch() -> None:
        while not stopping.wait(1):
            for number, process in enumerate(started):
                with changing:  # never start one after the server began stopping them
                    if process.poll() not in (None, 0) and not stopping.is_set():
                        typer.echo(f"a job worker stopped (exit code {process.returncode}); starting another",
                                   err=True)
                        started[number] = start()

    threading.Thread(target=watch, name="peerframe-job-workers", daemon=True).start()
    try:
        yield
    finally:
        with changing:
            stopping.set()
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
