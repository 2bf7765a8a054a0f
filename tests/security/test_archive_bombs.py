"""Archive and text bombs are refused with 413 naming the limit, in seconds, by a server that stays within its
address space, and nothing of them is stored."""

import io
import json
import zipfile

from tests.builders import docx_bytes
from tests.security.bombs import docx_bomb, odt_spaces, qde, qdpx_bomb, text_source, upload_in_child, zip_with


def refused(answer: dict, *, naming: str, as_job: bool = False) -> None:
    """Refused naming the limit, quickly, storing nothing; a big upload is a job that fails with the reason."""
    if as_job:
        assert answer["status"] == 202, answer["text"]
        job = json.loads(answer["text"])
        assert job["status"] == "failed", job
        assert naming in job["message"], job
    else:
        assert answer["status"] == 413, answer["text"]
        assert naming in answer["text"]
    assert answer["seconds"] < 10
    assert answer["documents"] == []
    assert answer["projects"] == ["Study"]


def test_a_word_zip_bomb_is_refused_before_it_unpacks(tmp_path):
    answer = upload_in_child(tmp_path, "api", "bomb.docx", docx_bomb(300))
    refused(answer, naming="the archive unpacks to 300 MB, over the limit of 64 MB for a whole archive")


def test_a_word_file_that_unpacks_within_the_member_limit_but_past_the_text_limit_is_refused(tmp_path):
    answer = upload_in_child(tmp_path, "api", "long.docx", docx_bomb(40), settings={"max_text_chars": 1_000_000})
    refused(answer, naming="the transcript would be over 1,000,000 characters")


def test_an_opendocument_space_count_is_counted_against_the_text_limit(tmp_path):
    data = odt_spaces(300_000_000)
    assert len(data) < 1000
    refused(upload_in_child(tmp_path, "api", "spaces.odt", data), naming="over 8,000,000 characters")


def test_a_plain_text_past_the_text_limit_is_refused(tmp_path):
    data = b"words without a speaker label, line after line\n" * 400_000  # 19 MB, under the upload limit
    refused(upload_in_child(tmp_path, "api", "long.txt", data), naming="limit is 8,000,000 characters", as_job=True)


def test_an_upload_past_the_byte_limit_is_refused_naming_it(tmp_path):
    data = b"PV1: hello\n" * 200_000
    answer = upload_in_child(tmp_path, "api", "big.txt", data, settings={"max_upload_bytes": 1024 * 1024})
    refused(answer, naming="over the upload limit of 1 MB")


def test_a_request_past_the_request_limit_is_refused_before_it_is_read(tmp_path):
    data = b"PV1: hello\n" * 200_000
    answer = upload_in_child(tmp_path, "api", "big.txt", data, settings={"max_request_bytes": 1024 * 1024})
    refused(answer, naming="the request is 2 MB, over the limit of 1 MB for one request")


def test_too_many_members_are_refused(tmp_path):
    data = zip_with({**{f"word/media/{n}.bin": b"" for n in range(5_001)}, "word/document.xml": "<x/>"})
    refused(upload_in_child(tmp_path, "api", "many.docx", data), naming="over the limit of 5,000 files")


def test_a_qdpx_source_that_unpacks_past_the_member_limit_is_refused(tmp_path):
    answer = upload_in_child(tmp_path, "refi", "bomb.qdpx", qdpx_bomb(300), settings={"max_unpacked_bytes": 10**9})
    refused(answer, naming="sources/s0.txt unpacks to more than the limit of 64 MB for one file in an archive")
    assert "Imported" not in answer["projects"]


def test_qdpx_sources_that_together_unpack_past_the_archive_limit_are_refused(tmp_path):
    answer = upload_in_child(tmp_path, "refi", "many.qdpx", qdpx_bomb(10, sources=8),
                             settings={"max_unpacked_bytes": 50 * 1024 * 1024, "max_text_chars": 20_000_000})
    refused(answer, naming="the archive unpacks to 80 MB, over the limit of 50 MB for a whole archive")


def test_a_qdpx_source_past_the_text_limit_is_refused(tmp_path):
    answer = upload_in_child(tmp_path, "refi", "long.qdpx", qdpx_bomb(20))
    refused(answer, naming="the transcript would be over 8,000,000 characters")


def test_an_archive_inside_a_qdpx_is_not_unpacked(tmp_path):
    inner = qdpx_bomb(1)
    data = zip_with({"project.qde": qde(text_source(0, "s0.txt")), "sources/s0.txt": inner})
    refused(upload_in_child(tmp_path, "refi", "nested.qdpx", data), naming="is itself a zip archive")


def test_a_word_template_that_unpacks_past_its_limit_is_refused(tmp_path):
    template = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as good, zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as bad:
        for item in good.infolist():
            bad.writestr(item, good.read(item))
        with bad.open("word/media/padding.bin", "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(b"\0" * 1024 * 1024)
    answer = upload_in_child(tmp_path, "report", "style.docx", template.getvalue())
    assert answer["status"] == 413, answer["text"]
    assert "style.docx: the template: the archive unpacks to 301 MB, over the limit of 48 MB for a whole" in answer["text"]
    assert answer["seconds"] < 10
