"""`peerframe members` and `peerframe assign`: the Team page's changes from the command line, with its roles."""

import json

from tests.cli_world import cli, stored


def test_members_list_add_role_and_remove_by_project_name_or_id(team):
    listed = json.loads(cli("members", "list", "Study", "--json").stdout)
    assert {"user": "sam", "display_name": "sam", "role": "coder"} in listed and listed[0]["role"] == "lead"
    assert cli("members", "list", str(team["project"])).stdout.count("\t") == len(listed)
    added = cli("members", "add", "Other", "sam", "--role", "viewer")
    assert added.exit_code == 0 and "sam is now viewer in 'Other'" in added.stdout
    assert cli("members", "role", "Other", "sam", "--role", "coder").exit_code == 0
    assert "sam\tcoder" in cli("members", "list", "Other").stdout
    removed = cli("members", "remove", "Other", "sam")
    assert removed.exit_code == 0 and "sam is no longer a member of 'Other'" in removed.stdout
    assert "sam" not in cli("members", "list", "Other").stdout


def test_unknown_names_exit_2_say_what_and_where_and_store_nothing(team, cli_url):
    before = stored(cli_url)
    for args, message in (
        (("members", "add", "Nope", "sam", "--role", "coder"), "no project called 'Nope' (projects: Other, Study)"),
        (("members", "add", "Study", "ghost", "--role", "coder"), "no user called 'ghost'"),
        (("members", "role", "Study", "out", "--role", "lead"), "out is not a member of 'Study'"),
        (("members", "remove", "Study", "out"), "out is not a member of this project ('Study')"),
        (("members", "list", "Nope"), "no project called 'Nope'"),
        (("assign", "Study", "pv99.txt", "sam"),
         "'Study' has no transcript called 'pv99.txt' (it has: pv44.txt, pv45.txt"),
        (("assign", "Study", "pv45.txt", "ghost"), "no user called 'ghost'"),
        (("members", "list", "Study", "--as", "ghost"), "no user called 'ghost'"),
    ):
        result = cli(*args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.stderr)
    bad_role = cli("members", "add", "Study", "out", "--role", "boss")
    assert bad_role.exit_code == 1 and "role must be one of" in bad_role.stderr
    last_lead = cli("members", "remove", "Study", "local")
    assert last_lead.exit_code == 1 and "at least one lead" in last_lead.stderr
    assert stored(cli_url) == before


def test_roles_are_the_pages_roles_and_a_non_member_learns_nothing(team, cli_url):
    before = stored(cli_url)
    coder = cli("members", "add", "Study", "out", "--role", "coder", "--as", "sam")
    assert coder.exit_code == 1 and "needs the lead role in 'Study'; sam is a coder there" in coder.stderr
    hidden = cli("members", "list", "Study", "--as", "out")
    assert hidden.exit_code == 2 and "no project called 'Study' (projects out can see: none)" in hidden.stderr
    assert "Other" not in cli("assign", "Nope", "--as", "sam").stderr  # only the projects sam belongs to
    assert cli("assign", "Study", "pv45.txt", "kim", "--as", "vic").exit_code == 1
    assert stored(cli_url) == before
    assert cli("members", "add", "Study", "kim", "--role", "lead").exit_code == 0
    assert cli("members", "add", "Study", "out", "--role", "viewer", "--as", "kim").exit_code == 0
    assert "out\tviewer" in cli("members", "list", "Study", "--as", "kim").stdout


def test_assign_gives_takes_back_and_lists(team, cli_url):
    listed = json.loads(cli("assign", "Study", "--json").stdout)
    assert listed == [{"document": "pv44.txt", "document_id": team["document"], "coders": ["kim", "sam"]},
                      {"document": "pv45.txt", "document_id": listed[1]["document_id"], "coders": []}]
    given = cli("assign", "Study", "pv45.txt", "sam")
    assert given.exit_code == 0 and "pv45.txt is assigned to sam" in given.stdout
    assert cli("assign", "Study", "pv45.txt").stdout == "pv45.txt\tsam\n"
    taken = cli("assign", "Study", str(team["document"]), "kim", "--remove")
    assert taken.exit_code == 0 and "pv44.txt is no longer assigned to kim" in taken.stdout
    assert cli("assign", "Study", "pv44.txt").stdout == "pv44.txt\tsam\n"


def test_assigning_to_someone_who_is_not_a_coder_is_refused(team, cli_url):
    before = stored(cli_url)
    refused = cli("assign", "Study", "pv45.txt", "vic")
    assert refused.exit_code == 1 and "vic is not a coder in this project" in refused.stderr
    assert "--role coder" in refused.stderr
    no_coder = cli("assign", "Study", "pv45.txt", "--remove")
    assert no_coder.exit_code == 2 and "--remove needs the coder" in no_coder.stderr
    assert stored(cli_url) == before
