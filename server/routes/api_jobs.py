"""Jobs in the JSON API: long operations answer 202 with a job to poll; its result file is fetched once."""

from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from coding import jobs
from coding.jobs import work
from coding.limits import read_bounded
from coding.models import Job
from server.deps import SessionDep, UserDep, _access

router = APIRouter(prefix="/api", tags=["jobs"])
ERRORS = {401: {"description": "no token and no session"},
          404: {"description": "no such job, or it is someone else's"}}


class JobAccepted(BaseModel):
    job: str = Field(description="the job's id")
    status_url: str = Field(examples=["/api/jobs/8kq2…"])


class JobOut(BaseModel):
    id: str
    kind: str = Field(examples=["refi-import", "transcripts", "report"])
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(ge=0, le=1)
    message: str = Field(description="what it is doing, what it made, or (failed) what went wrong and where")
    result_url: Optional[str] = Field(description="where to fetch the result file once, when there is one")
    result: dict = Field(description="what it made: the import report, or each file's document or refusal")


def accepted(job: Job) -> JobAccepted:
    """The 202 answer for a started job."""
    return JobAccepted(job=job.id, status_url=f"/api/jobs/{job.id}")


def caller_job(request: Request, session: SessionDep, user: UserDep,
               job_id: Annotated[str, Path(min_length=8, max_length=32)]) -> Job:
    """The caller's own job, while they may still see its project; anyone else's is 404."""
    job = jobs.get_job(session, job_id=job_id, user=user)
    if job.project_id is not None:
        _access(request, session, user, job.project_id, "viewer")
    return job


JobDep = Annotated[Job, Depends(caller_job)]


def job_out(job: Job) -> JobOut:
    has_file = job.status == "done" and bool(job.result.get("file"))
    result = {k: v for k, v in job.result.items() if k != "file"}
    return JobOut(id=job.id, kind=job.kind, status=job.status, progress=job.progress, message=job.message,
                  result_url=f"/api/jobs/{job.id}/result" if has_file else None, result=result)


@router.get("/jobs/{job_id}", responses=ERRORS)
def show_job(job: JobDep) -> JobOut:
    """How a job stands: queued, running (with progress 0..1), done (with its result) or failed (with why)."""
    return job_out(job)


@router.get("/jobs/{job_id}/result", responses={**ERRORS, 200: {"content": {"application/octet-stream": {}}}},
            response_class=Response)
def job_result(request: Request, session: SessionDep, user: UserDep, job: JobDep) -> Response:
    """The file a job made, handed over once (a second request is 404); only to the user who started it."""
    data, filename, media_type = jobs.take_result(session, job_id=job.id, user=user,
                                                  folder=request.app.state.jobs.folder)
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/projects/import", status_code=202, responses={**ERRORS, 409: {"description": "the name is taken"},
                                                             413: {"description": "the file is too big"},
                                                             422: {"description": "the file is empty"}})
def import_refi(request: Request, session: SessionDep, user: UserDep,
                name: Annotated[str, Form(min_length=1, max_length=200, description="the new project's name")],
                file: Annotated[UploadFile, File(description="a REFI-QDA project (.qdpx) or codebook (.qdc)")],
                nvivo: Annotated[bool, Form(description="the file is NVivo's: positions count UTF-16 units")] = False,
                ) -> JobAccepted:
    """Import a REFI-QDA file as a new project, always as a job: poll `status_url`; a source missing from the
    archive is left out and named in the result's `missing`, with the codings that could not be placed."""
    filename, limits = file.filename or "upload.qdpx", request.app.state.settings.limits()
    data = read_bounded(file.file, filename, limits.upload_bytes)
    return accepted(work.import_refi_file(request.app.state.jobs, session, name=name, filename=filename, data=data,
                                          user=user, limits=limits, nvivo=nvivo))
