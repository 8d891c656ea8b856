"""``tandem serve`` (the dashboard and JSON API) and ``tandem users add|list|remove|token``.

``serve`` is the one place the command line reaches into the web package: it
starts it. Users and tokens live in the workspace's application state
(``tandem.state.users``), which the CLI and the server share.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tandem.apps.cli.app import WorkspaceOpt, app, parse_format
from tandem.apps.cli.output import Format

users_app = typer.Typer(
    help="Dashboard users (admin, leader, member) and API tokens for scripts.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

#: Demo logins made by 'tandem serve --demo' (passwords fresh on each start).
DEMO_USERS = (("admin", "admin"), ("leader", "leader"), ("csm", "member"))


def _check_workspace(workspace: Path) -> None:
    from tandem.service.workspace import Workspace

    Workspace(workspace).close()  # a clear error when the folder is not a workspace


def _team_member(workspace: Path, member_id: str) -> None:
    from tandem.errors import UsageError, did_you_mean
    from tandem.service.workspace import Workspace

    with Workspace(workspace) as ws, ws.read() as s:
        people = s.table("team_members")
        ids = [r["member_id"] for r in s.run(people.select("member_id")).to_pylist()]
    if member_id not in ids:
        raise UsageError(f"--member-id: no team member {member_id!r}{did_you_mean(member_id, ids)}")


@app.command()
def serve(
    workspace: WorkspaceOpt = Path("."),
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Demo mode: a throwaway session secret and demo logins, printed here.",
        ),
    ] = False,
    new_secret: Annotated[
        bool,
        typer.Option(
            "--new-secret",
            help="Write a new random session secret to [web] secret_file (mode 0600) first; "
            "everyone must log in again.",
        ),
    ] = False,
) -> None:
    """Serve the dashboard and the JSON API (OpenAPI at /openapi.json) until Ctrl-C."""
    import uvicorn

    from tandem.apps.web.config import load_config, new_secret_file
    from tandem.apps.web.server import create_app

    _check_workspace(workspace)
    if new_secret:
        path = new_secret_file(workspace)
        typer.echo(f"New session secret written to {path} (mode 0600).")
    config = load_config(workspace, demo=demo)
    logins = _demo_logins(workspace) if demo else []
    application = create_app(config)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"Tandem serves {workspace.resolve()} at http://{shown}:{port}/ (Ctrl-C stops it)")
    if logins:
        typer.echo("Demo logins (demo mode only; new passwords on every start):")
        for username, role, password in logins:
            typer.echo(f"  {username:<8} {password}   ({role})")
    sys.stdout.flush()
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)


def _demo_logins(workspace: Path) -> list[tuple[str, str, str]]:
    """Demo users with fresh passwords; the member is the CSM with the most customers."""
    from tandem.accounts import AccountQuery, Status, build_book
    from tandem.accounts.book import Book
    from tandem.service.workspace import Workspace
    from tandem.state.users import Role, Users

    with Workspace(workspace) as ws, ws.read() as s:
        accounts, people = build_book(s, s.today)
        book = Book(accounts, people, s.today)
    counts: dict[str, int] = {}
    for row in book.query(AccountQuery(status=Status.CUSTOMER, limit=10**9)).rows:
        if row["csm_id"]:
            counts[row["csm_id"]] = counts.get(row["csm_id"], 0) + 1
    book.close()
    csm = max(counts, key=lambda k: (counts[k], k)) if counts else None
    users = Users(workspace)
    out = []
    for username, role in DEMO_USERS:
        if role == "member" and csm is None:
            continue
        password = secrets.token_urlsafe(9)
        users.add(
            username,
            password,
            Role(role),
            member_id=csm if role == "member" else None,
            demo=True,
            replace=True,
        )
        label = f"{role}, {csm}" if role == "member" else role
        out.append((username, label, password))
    return out


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", "-r", help="admin, leader or member.")],
    workspace: WorkspaceOpt = Path("."),
    member_id: Annotated[
        str | None,
        typer.Option("--member-id", "-m", help="The team member a member is (their book)."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user; the password is asked for (twice), or read from stdin."""
    from tandem.errors import UsageError
    from tandem.state.users import Role, Users

    try:
        chosen = Role(role)
    except ValueError:
        raise UsageError(f"--role {role!r}: choose admin, leader or member") from None
    _check_workspace(workspace)
    if member_id:
        _team_member(workspace, member_id)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = Users(workspace).add(username, password, chosen, member_id=member_id)
    linked = f", team member {user.member_id}" if user.member_id else ""
    typer.echo(f"Added {user.username} ({user.role.value}{linked}).")


@users_app.command("list")
def users_list(
    workspace: WorkspaceOpt = Path("."),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Every user, with their API tokens (never the tokens' text)."""
    from tandem.errors import UsageError
    from tandem.state.users import Users

    chosen = parse_format(fmt)
    if chosen not in (Format.TABLE, Format.JSON):
        raise UsageError(f"--format {fmt!r}: choose table or json")
    _check_workspace(workspace)
    users = Users(workspace)
    tokens = users.tokens()
    rows: list[dict[str, Any]] = [
        {
            "username": u.username,
            "role": u.role.value,
            "member_id": u.member_id,
            "demo": u.demo,
            "created_at": u.created_at,
            "tokens": [
                {
                    "id": t.token_id,
                    "label": t.label,
                    "prefix": t.prefix,
                    "created_at": t.created_at,
                    "last_used_at": t.last_used_at,
                }
                for t in tokens
                if t.username == u.username
            ],
        }
        for u in users.all()
    ]
    if chosen is Format.JSON:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("user", "role", "team member", "created", "API tokens", title="Users")
    for r in rows:
        held = ", ".join(f"#{t['id']} {t['label']} ({t['prefix']}…)" for t in r["tokens"]) or "-"
        role = r["role"] + (" (demo)" if r["demo"] else "")
        table.add_row(r["username"], role, r["member_id"] or "-", r["created_at"][:10], held)
    Console().print(table)


@users_app.command("remove")
def users_remove(
    username: Annotated[str, typer.Argument(help="Login name.")],
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Remove a user: their sessions and API tokens stop working at once."""
    from tandem.state.users import Users

    _check_workspace(workspace)
    Users(workspace).remove(username)
    typer.echo(f"Removed {username}.")


@users_app.command("token")
def users_token(
    username: Annotated[str, typer.Argument(help="Whose token it is.")],
    workspace: WorkspaceOpt = Path("."),
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "script",
    revoke: Annotated[
        int | None, typer.Option("--revoke", help="Revoke the token with this id instead.")
    ] = None,
) -> None:
    """Make an API token (printed once: keep it; only its hash is stored), or revoke one."""
    from tandem.errors import UsageError
    from tandem.state.users import Users

    _check_workspace(workspace)
    users = Users(workspace)
    if revoke is not None:
        if not any(t.token_id == revoke for t in users.tokens(username)):
            raise UsageError(f"--revoke {revoke}: {username!r} holds no token #{revoke}")
        users.revoke_token(revoke)
        typer.echo(f"Revoked token #{revoke} of {username}.")
        return
    token = users.create_token(username, label)
    typer.echo(token)
    typer.echo("Send it as 'Authorization: Bearer <token>'. It is shown only now.", err=True)
