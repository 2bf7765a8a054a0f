"""Accounts: passwords, throttled sign-in, hashed tokens, roles, assignments and blind layers."""

import pytest
from sqlmodel import select

from coding import store
from coding.models import ApiToken
from coding.team import accounts, signin
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes


@pytest.fixture
def sam(session):
    return accounts.create_user(session, name="sam", password="correct horse battery")


def test_passwords_are_stored_as_argon2_hashes_and_checked(session, sam):
    assert sam.password_hash.startswith("$argon2") and "correct" not in sam.password_hash
    assert signin.sign_in(session, name="sam", password="correct horse battery", address="127.0.0.1").id == sam.id
    with pytest.raises(signin.SignInRefused, match="do not match"):
        signin.sign_in(session, name="sam", password="wrong", address="127.0.0.1")
    with pytest.raises(signin.SignInRefused):
        signin.sign_in(session, name="nobody", password="whatever1", address="127.0.0.1")


@pytest.mark.parametrize("name, password, message", [
    ("sam two", "long enough pw", "one word"), ("", "long enough pw", "one word"), ("x", "short", "at least 8"),
])
def test_bad_new_accounts_are_refused(session, name, password, message):
    with pytest.raises(store.Invalid, match=message):
        accounts.create_user(session, name=name, password=password)


def test_a_taken_name_is_a_conflict(session, sam):
    with pytest.raises(store.Conflict, match="already a user called 'sam'"):
        accounts.create_user(session, name="sam", password="another password")


def test_five_failures_throttle_that_name_from_that_address_even_with_the_right_password(session, sam):
    for _ in range(signin.MAX_FAILURES):
        with pytest.raises(signin.SignInRefused):
            signin.sign_in(session, name="sam", password="guess", address="10.0.0.9")
    with pytest.raises(signin.Throttled, match="try again in 15 minutes"):
        signin.sign_in(session, name="sam", password="correct horse battery", address="10.0.0.9")
    # sam, elsewhere, is not locked out by someone guessing from 10.0.0.9
    assert signin.sign_in(session, name="sam", password="correct horse battery", address="10.0.0.7").id == sam.id


def test_guesses_spread_over_many_addresses_throttle_the_name(session, sam):
    for n in range(signin.MAX_NAME_FAILURES):
        with pytest.raises(signin.SignInRefused):
            signin.sign_in(session, name="sam", password="guess", address=f"10.0.1.{n}")
    with pytest.raises(signin.Throttled):
        signin.sign_in(session, name="sam", password="correct horse battery", address="10.0.2.1")


def test_tokens_are_hashed_work_until_revoked(session, sam):
    plain, record = accounts.create_token(session, user=sam, name="script")
    assert plain.startswith("pf_") and plain not in record.token_hash
    assert session.exec(select(ApiToken.token_hash)).all() == [record.token_hash]
    assert accounts.user_for_token(session, token=plain).id == sam.id
    assert accounts.user_for_token(session, token=plain + "x") is None
    accounts.revoke_token(session, user=sam, token_id=record.id)
    assert accounts.user_for_token(session, token=plain) is None


def test_roles_rank_and_the_last_lead_stays(session, project, user, sam):
    assert accounts.role_in(session, project_id=project.id, user=user) == "lead"  # the creator
    assert accounts.role_in(session, project_id=project.id, user=sam) is None
    accounts.set_member(session, project_id=project.id, user=sam, role="coder", by=user)
    assert accounts.at_least("coder", "viewer") and not accounts.at_least("coder", "lead")
    with pytest.raises(store.Invalid, match="at least one lead"):
        accounts.remove_member(session, project_id=project.id, user=user, by=user)
    with pytest.raises(store.Invalid, match="role must be one of"):
        accounts.set_member(session, project_id=project.id, user=sam, role="boss", by=user)
    assert [e.kind for e in store.list_events(session, project_id=project.id)][:1] == ["member.set"]


def test_blind_coders_see_only_their_own_layer_until_revealed(session, project, user, sam):
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("a.txt", txt_bytes()))
    accounts.set_member(session, project_id=project.id, user=sam, role="coder", by=user)
    with pytest.raises(store.Invalid, match="not a coder"):
        accounts.assign(session, document=document, coder=store.ensure_user(session, name="outsider"), by=user)
    accounts.assign(session, document=document, coder=sam, by=user)
    safety = store.get_code(session, project_id=project.id, key="safety")
    mine = store.add_coding(session, document=document, code=safety, user=sam, start=20, end=30)
    store.add_coding(session, document=document, code=safety, user=user, start=20, end=30)
    layers = accounts.visible_layers(session, project=project, document=document, user=sam, role="coder")
    assert layers == {mine.layer_id}
    accounts.set_revealed(session, document=document, by=user, revealed=True)
    assert accounts.visible_layers(session, project=project, document=document, user=sam, role="coder") is None
    assert accounts.visible_layers(session, project=project, document=document, user=user, role="lead") is None


def test_no_one_changes_another_coders_layer(session, project, user, sam):
    document = store.import_document(session, project_id=project.id, user=user,
                                     transcript=read_transcript("a.txt", txt_bytes()))
    theirs = store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id,
                              key="safety"), user=sam, start=20, end=30)
    with pytest.raises(store.NotYours, match="not in your layer"):
        store.remove_coding(session, coding=theirs, user=user)
    with pytest.raises(store.NotYours):
        store.set_memo(session, coding=theirs, user=user, memo="mine now")


def test_the_single_user_of_a_machine_leads_every_project_and_others_act_with_their_membership(session, project,
                                                                                                 user, sam):
    assert accounts.acting_role(session, project_id=project.id, user=sam, local=True) == "lead"
    assert accounts.acting_role(session, project_id=project.id, user=sam, local=False) is None
    accounts.set_member(session, project_id=project.id, user=sam, role="viewer", by=user)
    assert accounts.acting_role(session, project_id=project.id, user=sam, local=False) == "viewer"
    assert accounts.acting_role(session, project_id=project.id, user=sam, local=True) == "lead"
    assert accounts.role_as(None, local=False) is None and accounts.role_as("coder", local=False) == "coder"
