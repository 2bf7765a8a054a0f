"""Project list, project overview, transcript import, participant attributes, members and assignments."""

from typing import Annotated, Optional

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from coding import store
from coding.analysis import overview
from coding.exchange import batch_import, survey
from coding.team import accounts, consent
from coding.jobs import work
from coding.limits import LimitExceeded, read_bounded
from coding.text.transcripts import ImportRefused
from coding.codebook.frameworks import available_frameworks, get_framework
from server import encoding
from server.deps import ID_MAX, LeadDep, ProjectDep, SessionDep, UserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def _overview(request: Request, session, access, template: str = "pages/project.html", status: int = 200, **extra):
    context = overview.project_overview(session, project=access.project, user=access.user, role=access.role,
                                        alone=request.app.state.settings.single_user)
    return request.app.state.templates.TemplateResponse(request, template, {**context, "access": access, **extra},
                                                        status_code=status)


REFUSED = {store.Conflict: 409, store.Invalid: 422, ImportRefused: 422, LimitExceeded: 413}


def projects_page(request: Request, session, user, *, refused: Optional[Exception] = None, form: str = "",
                  entered: Optional[dict] = None):
    """The project list with its two forms; a refused form shows its error beside it, with what was entered."""
    projects = overview.project_summaries(session, user=user, everything=request.app.state.settings.single_user)
    return request.app.state.templates.TemplateResponse(
        request, "pages/projects.html", {"projects": projects, "frameworks": available_frameworks().values(),
                                         "error": str(refused) if refused else "", "form": form,
                                         "entered": {k: v.replace("\x00", "")[:200] if isinstance(v, str) else v
                                                     for k, v in (entered or {}).items()}},
        status_code=REFUSED.get(type(refused), 200) if refused else 200)


@router.get("/", response_class=HTMLResponse)
def project_list(request: Request, session: SessionDep, user: UserDep):
    return projects_page(request, session, user)


@router.post("/projects")
def create_project(request: Request, session: SessionDep, user: UserDep, name: Annotated[str, Form()] = "",
                   framework: Annotated[str, Form()] = "side-by-side",
                   optional_groups: Annotated[bool, Form()] = False):
    try:
        project = store.create_project(session, name=name, framework=get_framework(framework), user=user,
                                       include_groups=None if optional_groups else [])
    except (store.Conflict, store.Invalid) as refused:
        return projects_page(request, session, user, refused=refused, form="create",
                             entered={"name": name, "framework": framework, "optional_groups": optional_groups})
    return RedirectResponse(f"/projects/{project.id}", status_code=303)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, session: SessionDep, access: ProjectDep):
    return _overview(request, session, access)


@router.post("/projects/{project_id}/import", response_class=HTMLResponse)
def import_files(request: Request, session: SessionDep, access: LeadDep, background: BackgroundTasks,
                 files: Annotated[list[UploadFile], File()], participant: Annotated[str, Form()] = ""):
    settings = request.app.state.settings
    uploads = [(f.filename or "upload", f.file) for f in files]
    if work.big_upload([f.size or 0 for f in files], settings.thresholds()):
        return _import_job(request, session, access, uploads, participant)
    results = batch_import.import_many(session, project_id=access.project.id, user=access.user, files=uploads,
                                       participant=participant, limits=settings.limits())
    encoding.after_import(background, request.app, documents=[r.document for r in results if r.document],
                          user=access.user, local=access.local)
    return _overview(request, session, access, "partials/project/import_results.html", results=results)


def _import_job(request: Request, session, access, uploads, participant: str):
    """A big batch: read the files now (each within the limit), import them in a job, show its progress."""
    limits = request.app.state.settings.limits()
    read = []
    for name, stream in uploads:
        try:
            read.append((name, read_bounded(stream, name, limits.upload_bytes)))
        except LimitExceeded as refused:
            read.append((name, refused))
    too_big = [(name, str(data)) for name, data in read if isinstance(data, LimitExceeded)]
    job = work.import_transcripts(request.app.state.jobs, session, project_id=access.project.id, user=access.user,
                                  files=[(n, d) for n, d in read if isinstance(d, bytes)], participant=participant,
                                  limits=limits, refused=too_big, local=access.local)
    return request.app.state.templates.TemplateResponse(request, "partials/project/import_job.html", {
        "job": job, "project": access.project}, status_code=202)


def _participants(request: Request, session, access, refused: Optional[Exception] = None, status: int = 200,
                  **extra):
    status = REFUSED.get(type(refused), 422) if refused else status
    return _overview(request, session, access, "partials/project/participants.html", status=status,
                     error=str(refused) if refused else "", **extra)


@router.get("/projects/{project_id}/participants", response_class=HTMLResponse)
def participants(request: Request, session: SessionDep, access: LeadDep):
    return _participants(request, session, access)


@router.post("/projects/{project_id}/attributes", response_class=HTMLResponse)
def upload_attributes(request: Request, session: SessionDep, access: LeadDep, file: Annotated[UploadFile, File()]):
    name = file.filename or "attributes.csv"
    try:
        preview = batch_import.preview_attributes(session, project_id=access.project.id, name=name, data=read_bounded(
            file.file, name, request.app.state.settings.max_upload_bytes))
    except (ImportRefused, LimitExceeded, store.Invalid) as refused:
        return _participants(request, session, access, refused)
    return _participants(request, session, access, preview=preview)


@router.post("/projects/{project_id}/attributes/apply", response_class=HTMLResponse)
def apply_attributes(request: Request, session: SessionDep, access: LeadDep, name: Annotated[str, Form()],
                     text: Annotated[str, Form()], create_unknown: Annotated[bool, Form()] = False):
    try:
        changed = batch_import.attributes_from_csv(session, project_id=access.project.id, user=access.user, name=name,
                                                   data=text.encode("utf-8"), create_unknown=create_unknown)
    except (ImportRefused, LimitExceeded, store.Invalid) as refused:
        return _participants(request, session, access, refused)
    return _participants(request, session, access, message=f"Attributes changed for {len(changed)} participant(s).")


@router.post("/projects/{project_id}/participants", response_class=HTMLResponse)
def edit_participant(request: Request, session: SessionDep, access: LeadDep,
                     label: Annotated[str, Form()], key: Annotated[str, Form()], value: Annotated[str, Form()] = ""):
    store.set_attributes(session, project_id=access.project.id, user=access.user, rows=[(label, {key: value})])
    return _overview(request, session, access, "partials/project/participants.html")


@router.post("/projects/{project_id}/tag-pattern", response_class=HTMLResponse)
def tag_pattern(request: Request, session: SessionDep, access: LeadDep,
                pattern: Annotated[str, Form(max_length=40)] = ""):
    """How a transcript that names no participant is tagged on import."""
    try:
        store.set_tag_pattern(session, project=access.project, user=access.user, pattern=pattern)
    except store.Invalid as refused:
        return _participants(request, session, access, status=422, tag_error=str(refused))
    return _participants(request, session, access, message=(f"New participants will be tagged {pattern.strip()}."
                                                            if pattern.strip() else "New participants are not tagged."))


def consent_form(how: Annotated[str, Form()] = "", on: Annotated[str, Form(max_length=10)] = "",
                 recording: Annotated[str, Form()] = "", quoting: Annotated[str, Form()] = "",
                 inform_only: Annotated[bool, Form()] = False) -> dict:
    """The consent fields of the project page's forms, as entered."""
    return {"how": how, "on": on.strip(), "recording": recording, "quoting": quoting, "inform_only": inform_only}


ConsentForm = Annotated[dict, Depends(consent_form)]


def _record_consent(request: Request, session, access, name: str, fields: dict, record) -> HTMLResponse:
    """Check the entered consent and `record` it; a refusal is shown beside the forms, and nothing is stored."""
    try:
        record(consent.Consent(how=fields["how"], on=fields["on"], inform_only=fields["inform_only"],
                               recording=consent.answer(fields["recording"], "recording permission"),
                               quoting=consent.answer(fields["quoting"], "consent to be quoted")))
    except store.Invalid as refused:
        return _participants(request, session, access, status=422, consent_error=str(refused))
    return _participants(request, session, access, message=f"Consent recorded for {name}.")


@router.post("/projects/{project_id}/participants/consent", response_class=HTMLResponse)
def participant_consent(request: Request, session: SessionDep, access: LeadDep, label: Annotated[str, Form()],
                        fields: ConsentForm):
    """Record what a participant agreed to; every export obeys it."""
    person = store.get_participant(session, project_id=access.project.id, label=label)
    if person is None:
        raise store.NotFound(f"no participant '{label}' in this project")
    return _record_consent(request, session, access, person.label, fields, lambda agreed: consent.set_participant_consent(
        session, participant=person, user=access.user, consent=agreed))


@router.post("/projects/{project_id}/documents/consent", response_class=HTMLResponse)
def document_consent(request: Request, session: SessionDep, access: LeadDep,
                     document: Annotated[int, Form(ge=1, le=ID_MAX)], fields: ConsentForm,
                     kind: Annotated[str, Form()] = "interview"):
    """Record a transcript's type and the consent given for it (a focus group's, say)."""
    target = store.get_document(session, document_id=document)
    if target.project_id != access.project.id:
        raise store.NotFound("no such document in this project")
    return _record_consent(request, session, access, target.name, fields, lambda agreed: consent.set_document_consent(
        session, document=target, user=access.user, kind=kind, consent=agreed))


def _survey(request: Request, session, access, status: int = 200, **extra) -> HTMLResponse:
    return _overview(request, session, access, "partials/project/survey.html", status=status, **extra)


@router.post("/projects/{project_id}/survey/preview", response_class=HTMLResponse)
def survey_preview(request: Request, session: SessionDep, access: LeadDep, file: Annotated[UploadFile, File()]):
    """Read a survey file and show its columns, each with a guess at what it holds, to be confirmed."""
    name = file.filename or "survey.csv"
    try:
        table = survey.read_table(name, read_bounded(file.file, name, request.app.state.settings.max_upload_bytes),
                                  request.app.state.settings.limits())
    except (ImportRefused, LimitExceeded) as refused:
        return _survey(request, session, access, status=REFUSED.get(type(refused), 422), survey_error=str(refused))
    return _survey(request, session, access, table=table, roles=survey.guess_roles(table))


@router.post("/projects/{project_id}/survey/import", response_class=HTMLResponse)
async def survey_import(request: Request, session: SessionDep, access: LeadDep):
    """Import the previewed survey with the roles chosen for its columns: all of it, or nothing."""
    form = await request.form()
    name, text = str(form.get("name") or "survey.csv"), str(form.get("text") or "")
    try:
        table = survey.read_table(name, text.encode("utf-8"), request.app.state.settings.limits())
        roles = {column: str(form.get(f"role:{column}") or "ignore") for column in table.header}
        chosen = [c for c, role in roles.items() if role == "respondent"]
        if len(chosen) != 1:
            raise store.Invalid(f"choose exactly one column as the respondent id, not {len(chosen)}")
        made = await run_in_threadpool(
            survey.import_survey, session, project_id=access.project.id, user=access.user, table=table,
            respondent=chosen[0], answers=[c for c, r in roles.items() if r == "answer"],
            attributes=[c for c, r in roles.items() if r == "attribute"], per=str(form.get("per") or "respondent"))
    except (ImportRefused, LimitExceeded, store.Invalid, store.Conflict) as refused:
        return _survey(request, session, access, status=REFUSED.get(type(refused), 422), survey_error=str(refused))
    return _survey(request, session, access, message=f"{len(made)} survey document(s) imported from {name}, for "
                                                     f"{len(table.rows)} respondents.")


@router.post("/projects/{project_id}/members", response_class=HTMLResponse)
def set_member(request: Request, session: SessionDep, access: LeadDep,
               name: Annotated[str, Form()], role: Annotated[str, Form()]):
    member = accounts.user_named(session, name=name)
    if role == "remove":
        accounts.remove_member(session, project_id=access.project.id, user=member, by=access.user)
    else:
        accounts.set_member(session, project_id=access.project.id, user=member, role=role, by=access.user)
    return _overview(request, session, access, "partials/project/members.html")


@router.post("/projects/{project_id}/role-labels", response_class=HTMLResponse)
def set_role_labels(request: Request, session: SessionDep, access: LeadDep,
                    lead: Annotated[str, Form(max_length=200)] = "", coder: Annotated[str, Form(max_length=200)] = "",
                    viewer: Annotated[str, Form(max_length=200)] = ""):
    """The team's own names for its roles."""
    try:
        accounts.set_role_labels(session, project=access.project, by=access.user,
                                 labels={"lead": lead, "coder": coder, "viewer": viewer})
    except store.Invalid as refused:
        return _overview(request, session, access, "partials/project/members.html", status=422,
                         labels_error=str(refused))
    return _overview(request, session, access, "partials/project/members.html")


@router.post("/projects/{project_id}/assignments", response_class=HTMLResponse)
def set_assignment(request: Request, session: SessionDep, access: LeadDep, document: Annotated[int, Form(ge=1, le=ID_MAX)],
                   coder: Annotated[str, Form()], assigned: Annotated[bool, Form()] = False):
    target = store.get_document(session, document_id=document)
    member = accounts.find_user(session, name=coder)
    if target.project_id != access.project.id or member is None:
        raise store.NotFound("no such document or coder in this project")
    accounts.assign(session, document=target, coder=member, by=access.user, assigned=assigned)
    return _overview(request, session, access, "partials/project/import_results.html")


@router.post("/projects/{project_id}/blind", response_class=HTMLResponse)
def set_blind(request: Request, session: SessionDep, access: LeadDep, blind: Annotated[bool, Form()] = False):
    store.set_blind(session, project=access.project, user=access.user, blind=blind)
    return _overview(request, session, access, "partials/project/members.html")
