"""A college's enrolment CSV on the web: the dry run row by row, the confirm, the same file
again, and bad files told in the CLI's own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from graph_service.ids import to_global_id
from graph_service.settings import Settings
from graph_service.web import college_upload
from loaders.csvfile import CsvFormatError, read_csv
from loaders.enrolments import COLUMNS
from tests.college_fixtures import sign_in_fixture, southport_fixture, world_fixture  # noqa: F401
from tests.colleges import (
    GUITAR,
    HEADER,
    PAST,
    RECENT,
    TAI_CHI,
    WRAP,
    SignIn,
    World,
    confirm_form,
    enrolment_counts,
    form_token,
    upload,
)
from tests.conftest import GraphQLClient


async def test_upload_dry_run_then_confirm_then_upload_again(
    sign_in: SignIn, world: World, southport: GraphQLClient
) -> None:
    client = await sign_in()
    wrap, guitar = to_global_id("Course", WRAP), to_global_id("Course", GUITAR)
    lines = [
        HEADER,
        f"{world.ann},{guitar},{PAST},COMPLETED,{RECENT}",  # 2: good
        f"{world.dee},{guitar},{PAST},,",  # 3: does not share
        f"{world.ann},{to_global_id('Course', TAI_CHI)},{PAST},,",  # 4: Waterloo's course
        f"{world.ann},{wrap},14/09/2026,,",  # 5: bad date
        f"{world.bob},{wrap},{PAST},,",  # 6: already linked
        f"{world.bob},{guitar},{RECENT},ENROLLED,",  # 7: good
    ]
    content = ("\r\n".join(lines) + "\r\n").encode()
    before = await enrolment_counts(southport)

    check = await upload(client, content)
    assert check.status_code == 200
    text = check.text
    for line, words in [
        (2, "can be linked"),
        (3, "cannot be linked"),
        (4, "cannot be linked"),
        (5, "cannot be linked"),
        (6, "already linked"),
        (7, "can be linked"),
    ]:
        assert re.search(
            rf"<strong>Line {line}:</strong>\s*<span class=\"outcome\">{words}<", text
        ), line
    assert "No member with this id shares with your college" in text
    assert "Not one of your college&#39;s courses" in text
    assert "Date enrolled: must be a date written YYYY-MM-DD" in text
    assert "Dee Dale" not in text and "Tai chi" not in text  # nothing of others' data
    assert "Link 2 enrolments" in text
    assert await enrolment_counts(southport) == before  # a dry run writes nothing

    confirmed = await client.post("/college/upload/confirm", data=confirm_form(text))
    assert confirmed.status_code == 303
    done = await client.get(confirmed.headers["location"])
    assert "2 enrolments were linked" in done.text
    assert "1 was already linked and has not changed" in done.text
    assert "3 rows could not be linked" in done.text
    after = await enrolment_counts(southport)
    assert after[GUITAR] == before[GUITAR] + 2 and after[WRAP] == before[WRAP]

    again = await upload(client, content)
    assert again.status_code == 200
    assert again.text.count("already linked</span>") == 3
    assert "can be linked</span>" not in again.text and "/college/upload/confirm" not in again.text
    replay = await client.post("/college/upload/confirm", data=confirm_form(text))
    assert replay.status_code == 303
    assert "0 enrolments were linked" in (await client.get(replay.headers["location"])).text
    assert await enrolment_counts(southport) == after


@pytest.mark.parametrize(
    "change",
    ["text", "name", "other-session", "expired"],
    ids=["changed-text", "renamed", "other-session", "expired"],
)
async def test_confirm_takes_only_the_file_just_checked(
    sign_in: SignIn,
    world: World,
    southport: GraphQLClient,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    client = await sign_in()
    good = f"{HEADER}\n{world.ann},{to_global_id('Course', GUITAR)},{PAST},,\n"
    form = confirm_form((await upload(client, good.encode())).text)
    before = await enrolment_counts(southport)
    if change == "text":
        form["text"] = form["text"].replace(
            to_global_id("Course", GUITAR), to_global_id("Course", WRAP)
        )
    elif change == "name":
        form["name"] = "other.csv"
    elif change == "other-session":
        client = await sign_in()
        form["csrf_token"] = await form_token(client)
    else:
        monkeypatch.setattr(college_upload, "UPLOAD_MINUTES", -1)
    response = await client.post("/college/upload/confirm", data=form)
    assert response.status_code == 400
    assert "Nothing has been written: please upload the file again" in response.text
    assert await enrolment_counts(southport) == before


def _cli_message(tmp_path: Path, name: str, content: bytes) -> str:
    """What `graph-service import enrolments` says of this file, with its name as given."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CsvFormatError) as unusable:
        read_csv(path, COLUMNS)
    return str(unusable.value).replace(str(path), name)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        f"{HEADER}\nAnn,\xe9t\xe9,2026-01-01,,\n".encode("latin-1"),
        b"member_id,course,enrolled_on\nx,y,2026-01-01\n",
        b"member_id\tcourse_id\tenrolled_on\nx\ty\t2026-01-01\n",
        b"member_id,course_id;enrolled_on\n",
        b'member_id,course_id,enrolled_on\n"x,y,2026-01-01\n',
    ],
    ids=["empty", "not-utf8", "header", "tabs", "both-delimiters", "open-quote"],
)
async def test_bad_files_get_the_clis_messages(
    sign_in: SignIn, world: World, tmp_path: Path, content: bytes
) -> None:
    client = await sign_in()
    expected = _cli_message(tmp_path, "term.csv", content)
    response = await upload(client, content, "term.csv")
    assert response.status_code == 400
    assert str(escape(expected)) in response.text, expected
    assert 'aria-describedby="file-error"' in response.text


async def test_too_big_or_no_file_is_said_plainly(
    sign_in: SignIn, world: World, settings: Settings
) -> None:
    client = await sign_in()
    csrf = await form_token(client, "/college/upload")
    none = await client.post(
        "/college/upload", data={"csrf_token": csrf}, files={"file": ("", b"", "text/csv")}
    )
    assert none.status_code == 400 and "Choose the CSV file to check" in none.text
    limit = settings.max_body_bytes - college_upload.ENVELOPE
    fits = (HEADER + "\n").encode().ljust(limit - 1, b" ") + b"\n"
    assert (await upload(client, fits, "all.csv")).status_code == 200
    over = fits + b" "
    response = await upload(client, over, "all.csv")
    assert response.status_code == 413
    assert f"all.csv is too big: a file can be at most {limit // 1024} KB" in response.text
    empty_lines = (HEADER + "\n").encode().ljust(limit, b"\n")  # twice as long with CRLF
    response = await upload(client, empty_lines, "all.csv")
    assert response.status_code == 413 and "all.csv is too big" in response.text
    # A body over the service's limit is refused before the page reads it: still in words.
    huge = await upload(client, over * 2, "all.csv")
    assert huge.status_code == 413
    assert "That is too much to send" in huge.text and "text/html" in huge.headers["content-type"]
