"""A transcript's recording: attaching it (page form and API) and playing it back by byte ranges."""

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel

from coding import store
from coding.workspace import recordings
from server.deps import DocumentDep, LeadDocumentDep, SessionDep

router = APIRouter()


class RecordingOut(BaseModel):
    document_id: int
    name: str
    media_type: str
    size: int
    url: str


def _attach(request: Request, session, target, file: UploadFile):
    settings = request.app.state.settings
    return recordings.attach(session, document=target.document, user=target.access.user, name=file.filename or "",
                             stream=file.file, folder=settings.media, limit=settings.max_recording_bytes)


@router.post("/documents/{document_id}/recording", include_in_schema=False)
def attach_page(request: Request, session: SessionDep, target: LeadDocumentDep, file: Annotated[UploadFile, File()]):
    _attach(request, session, target, file)
    return RedirectResponse(f"/documents/{target.document.id}", status_code=303)


@router.post("/api/documents/{document_id}/recording", status_code=201, tags=["api"])
def attach_api(request: Request, session: SessionDep, target: LeadDocumentDep,
               file: Annotated[UploadFile, File()]) -> RecordingOut:
    """Attach the interview's audio or video (MP3, WAV, Ogg, WebM, MP4/M4A; lead only), replacing any earlier one."""
    recording = _attach(request, session, target, file)
    return RecordingOut(document_id=recording.document_id, name=recording.original_name,
                        media_type=recording.media_type, size=recording.size,
                        url=f"/documents/{recording.document_id}/recording")


@router.get("/api/documents/{document_id}/recording", tags=["api"], response_class=FileResponse)
@router.get("/documents/{document_id}/recording", include_in_schema=False)
def play(request: Request, session: SessionDep, target: DocumentDep) -> FileResponse:
    """The recording's bytes, for members who may read the transcript; honours Range (206) so players can seek."""
    recording = recordings.find(session, document_id=target.document.id)
    path = recordings.path_of(recording, request.app.state.settings.media) if recording else None
    if path is None or not path.is_file():
        raise store.NotFound(f"document {target.document.id} has no recording")
    return FileResponse(path, media_type=recording.media_type, content_disposition_type="inline",
                        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
