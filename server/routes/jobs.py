"""A job's progress in the browser: a page, and the partial htmx polls until the job ends."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from coding.jobs import work
from server.deps import SessionDep
from server.routes.api_jobs import JobDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def job_response(request: Request, session, job, status: int = 200):
    """The job's progress partial (for htmx) or its page; a finished import lists what it brought in."""
    template = "partials/jobs/progress.html" if request.headers.get("hx-request") else "pages/job.html"
    results = work.import_results(session, job) if job.kind == work.TRANSCRIPTS and job.status == "done" else []
    return request.app.state.templates.TemplateResponse(request, template, {"job": job, "results": results},
                                                        status_code=status)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, session: SessionDep, job: JobDep):
    return job_response(request, session, job)
