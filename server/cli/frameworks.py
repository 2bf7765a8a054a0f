"""`peerframe frameworks`: the frameworks a project can start from."""

import json

import typer

from server.cli.common import fail

frameworks_app = typer.Typer(help="The frameworks shipped with Peerframe.", no_args_is_help=True)


@frameworks_app.command("list")
def frameworks_list() -> None:
    """List the frameworks a project can start from."""
    from coding.codebook.frameworks import FrameworkError, available_frameworks

    try:
        for framework in available_frameworks().values():
            count = sum(1 for _ in framework.walk())
            typer.echo(f"{framework.id}\t{framework.name} (version {framework.version}, {count} codes)")
    except FrameworkError as exc:
        fail(str(exc))


@frameworks_app.command("show")
def frameworks_show(framework_id: str, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show a framework's codes as a tree."""
    from coding.codebook.frameworks import FrameworkError, get_framework

    try:
        framework = get_framework(framework_id)
    except (KeyError, FrameworkError) as exc:
        fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))
    if as_json:
        typer.echo(json.dumps(framework.as_tree(), indent=2, ensure_ascii=False))
        return
    typer.echo(f"{framework.name} (version {framework.version})")
    for code in framework.walk():
        depth = code.id.count("/")
        tier = f" [{code.tier}]" if code.tier else ""
        typer.echo(f"{'  ' * depth}{code.id}: {code.name}{tier}")
