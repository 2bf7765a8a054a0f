"""The `peerframe` command: one Typer app, its commands grouped in modules as the routes are by screen.

The modules import only typer, click and the standard library at the top; each command imports coding/ and the
settings in its body, so `peerframe --help` starts without the database layer or spaCy (tests/test_cli.py checks).
"""

import typer

from server.cli import analysis, exchange, log, reconcile, serve, suggest, team, worker
from server.cli.erase import erase_app
from server.cli.frameworks import frameworks_app
from server.cli.users import token_app, users_app

app = typer.Typer(help="Peerframe: qualitative coding against a values framework.", no_args_is_help=True)
export_app = typer.Typer(cls=exchange.ExportGroup, no_args_is_help=True,
                         help="Write reports to files: peerframe export PROJECT FORMAT [--out FILE] "
                              "(see: export file --help).")

app.command()(serve.serve)
app.command()(worker.worker)
app.add_typer(frameworks_app, name="frameworks")
app.command("import")(exchange.import_files)
app.add_typer(export_app, name="export")
export_app.command("quotes")(exchange.export_quotes)
export_app.command("codebook")(exchange.export_codebook)
export_app.command("project")(exchange.export_project)
export_app.command("file")(exchange.export_file)
app.command()(suggest.suggest)
app.add_typer(users_app, name="users")
app.add_typer(team.members_app, name="members")
app.command()(team.assign)
app.command()(analysis.agreement)
app.command()(reconcile.reconcile)
app.command()(analysis.query)
app.command()(log.log)
app.add_typer(token_app, name="token")
app.add_typer(erase_app, name="erase")


def main() -> None:  # pragma: no cover
    app(prog_name="peerframe")
