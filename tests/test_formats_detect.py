"""Format detection, decoding and parse_file's handling of bad input."""

from __future__ import annotations

import codecs
import errno
import logging
import os
from pathlib import Path

import pytest

import indexer.formats as formats
from indexer import corpus
from indexer.formats import SUPPORTED_SUFFIXES
from indexer.formats import decode_bytes
from indexer.formats import detect_format
from indexer.formats import parse_file
from indexer.formats import parse_text
from indexer.formats.detect import BY_SUFFIX
from indexer.formats.meta import ambiguous_date
from indexer.formats.meta import meta_line
from indexer.formats.meta import parse_date
from indexer.formats.meta import title_from_filename
from indexer.formats.meta import unread_date
from indexer.model import ParseResult

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "interviews"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.txt", "Q: x?\nA: y", "text"),
        ("a.TEXT", "Q: x?\nA: y", "text"),
        ("a.md", "# T\n\n**Q:** x?", "markdown"),
        ("a.markdown", "plain", "markdown"),
        ("a.html", "<p>Q: x?</p>", "html"),
        ("a.htm", "<p>Q: x?</p>", "html"),
        ("a.jsonl", '{"question": "x", "answer": "y"}', "jsonl"),
        ("a.json", '[{"question": "x", "answer": "y"}]', "jsonl"),
        ("a.json", '{"question": "x", "answer": "y"}\n{"question": "z", "answer": "w"}', "jsonl"),
        # misleading extensions
        ("a.txt", "<!DOCTYPE html>\n<html><body><p>x</p></body></html>", "html"),
        ("a.txt", "  <html lang='en'><body>x</body></html>", "html"),
        ("a.md", "<!-- c -->\n<!doctype html><html></html>", "html"),
        ("a.txt", '{"question": "x?", "answer": "y"}\n', "jsonl"),
        ("a.html", "no markup at all", "text"),
        ("a.txt", "[00:01] HOST: hi", "text"),
        # unknown extensions: HTML and JSON by content, nothing else
        ("notes", "Q: x?\nA: y", None),
        ("page.php", "<html><body><p>x</p></body></html>", "html"),
        ("dump.data", '{"question": "x", "answer": "y"}', "jsonl"),
        ("dump.data", '[{"question": "x", "answer": "y"}]', "jsonl"),
        ("readme", "# Title\n\nSome **bold** text", None),
        ("a.bin", "\x00\x01\x02\x03\x04\x05 binary", None),
        ("a.pdf", "%PDF-1.7 looks like text", None),
        ("a.xyz", "[not json", None),
    ],
)
def test_detect_format(name, text, expected):
    assert detect_format(name, text) == expected


def test_supported_suffixes_cover_the_basic_formats():
    assert {
        ".txt",
        ".text",
        ".md",
        ".markdown",
        ".html",
        ".htm",
        ".jsonl",
        ".json",
    } <= SUPPORTED_SUFFIXES


def test_every_extension_the_parsers_know_is_a_supported_suffix():
    assert set(BY_SUFFIX) == SUPPORTED_SUFFIXES


def decode(data: bytes) -> tuple[str, list[str]]:
    result = ParseResult("x")
    return decode_bytes(data, result), [p.message for p in result.problems]


def test_decode_utf8_with_and_without_bom_is_silent():
    assert decode("naïve".encode()) == ("naïve", [])
    assert decode(codecs.BOM_UTF8 + "naïve".encode()) == ("naïve", [])


@pytest.mark.parametrize(
    ("codec", "label"), [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")]
)
def test_decode_utf16_and_utf32_boms(codec, label):
    data = "Q: naïve?".encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert decode(data) == ("Q: naïve?", [f"decoded as {label} (byte order mark)"])


def test_decode_declared_charsets():
    page = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    page += "caf\xe9 \x93q\x94"
    assert decode(page.encode("latin-1")) == (
        page.replace("\x93", "“").replace("\x94", "”"),
        ["decoded as cp1252 (declared charset 'windows-1252')"],
    )
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?><p>caf\xe9</p>'
    assert decode(xml.encode("latin-1"))[0].endswith("café</p>")
    assert decode('<meta charset="utf-8"><p>café</p>'.encode()) == (
        '<meta charset="utf-8"><p>café</p>',
        [],
    )
    text, messages = decode(b'<meta charset="klingon"><p>ok</p>')
    assert (text, messages) == (
        '<meta charset="klingon"><p>ok</p>',
        ["unknown declared charset 'klingon' ignored"],
    )


def test_decode_falls_back_to_cp1252_and_never_raises():
    assert decode("café “quoted”".encode("cp1252")) == (
        "café “quoted”",
        ["not UTF-8; decoded as cp1252"],
    )
    text, messages = decode(bytes(range(256)))
    assert len(text) >= 200 and messages


def test_decode_utf16_without_bom():
    assert decode("Q: hello there?".encode("utf-16-le")) == (
        "Q: hello there?",
        ["decoded as UTF-16 (guessed from NUL bytes, no byte order mark)"],
    )


def test_empty_file(tmp_path):
    result = parse_file(FIXTURES / "empty.txt", "empty.txt")
    assert (result.file, result.interviews) == ("empty.txt", [])
    assert [(p.severity, p.message) for p in result.problems] == [("warning", "empty file")]
    blank = tmp_path / "blank.md"
    blank.write_text(" \n\n \t\n")
    assert [p.message for p in parse_file(blank).problems] == ["empty file"]


def test_unknown_format_is_an_error():
    result = parse_file(FIXTURES / "unknown.dat")
    assert result.file == str(FIXTURES / "unknown.dat")
    assert result.interviews == []
    [problem] = result.problems
    assert problem.severity == "error"
    assert problem.message.startswith("unrecognised format")


def test_unreadable_paths_are_errors_with_the_os_reason(tmp_path):
    missing = parse_file(tmp_path / "missing.txt")
    assert [(p.severity, p.message) for p in missing.problems] == [
        ("error", "cannot read file: No such file or directory")
    ]
    assert [p.message for p in parse_file(tmp_path).problems] == [
        "cannot read file: Is a directory"
    ]


def test_permission_denied(tmp_path, monkeypatch):
    locked = tmp_path / "locked.txt"
    locked.write_text("Q: x?\nA: y")
    if os.geteuid() == 0:  # root reads any file: make the read itself fail as chmod 000 would
        real_open = open

        def refuse(path, *args, **kwargs):
            if Path(path) == locked:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(formats, "open", refuse, raising=False)
    locked.chmod(0)
    try:
        assert [p.message for p in parse_file(locked).problems] == [
            "cannot read file: Permission denied"
        ]
    finally:
        locked.chmod(0o644)


def test_size_limit_with_a_patched_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 100)
    big = tmp_path / "big.txt"
    big.write_text("Q: x?\nA: " + "y" * 200)
    result = parse_file(big, "big.txt")
    assert result.interviews == []
    assert [(p.severity, p.message) for p in result.problems] == [
        ("error", "file is 209 bytes, over the 100-byte size limit")
    ]


def test_real_50_mb_limit_with_a_sparse_file(tmp_path):
    sparse = tmp_path / "huge.txt"
    with open(sparse, "wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)  # no data is written
    [problem] = parse_file(sparse).problems
    assert (problem.severity, problem.message) == (
        "error",
        f"file is {50 * 1024 * 1024 + 1} bytes, over the 50 MB size limit",
    )


def test_parse_text_with_explicit_format_and_display_name(tmp_path):
    path = tmp_path / "x.data"
    path.write_text('{"question": "Why?", "answer": "Because."}')
    result = parse_file(path, display_name="corpus/why-because.txt")
    assert result.file == "corpus/why-because.txt"
    assert result.interviews[0].title == "Why Because"
    assert (
        parse_text("<p>Q: Why?</p><p>A: Because.</p>", "x", fmt="html").interviews[0].format
        == "html"
    )


def test_parse_date_and_title_helpers():
    assert [
        parse_date(s)
        for s in (
            "2024-03-03T10:00:00Z",
            "March 3, 2024",
            "Mar. 3rd, 2024",
            "3 March 2024",
            "Published on 03/04/2024",
            "31/12/2023",
            "2024/2/29",
            "2023-02-30",
            "soon",
            "12345-6-7",
        )
    ] == [
        "2024-03-03",
        "2024-03-03",
        "2024-03-03",
        "2024-03-03",
        "2024-03-04",
        "2023-12-31",
        "2024-02-29",
        "",
        "",
        "",
    ]
    assert (
        title_from_filename("he-huang-cellular-immunotherapy.txt")
        == "He Huang Cellular Immunotherapy"
    )
    assert title_from_filename("/a/b/CSCO_2024 interview.md") == "CSCO 2024 Interview"


@pytest.mark.parametrize(("name", "title"), [
    ("zhang-cd7-car-t.txt", "Zhang CD7 CAR T"),  # was "Zhang Cd7 Car T"
    ("bcma-car-t-in-myeloma.md", "BCMA CAR T In Myeloma"),
    ("gvhd_after_hsct.html", "GVHD After HSCT"),
    ("all-about-anemia.txt", "All About Anemia"),  # ALL only where it cannot be the word
    ("pet-scans.txt", "Pet Scans"),
    ("he-huang-cellular-immunotherapy.txt", "He Huang Cellular Immunotherapy"),
    ("McKinley-il6.txt", "McKinley IL6")])
def test_a_title_from_a_file_name_keeps_codes_and_acronyms_in_capitals(name, title):
    assert title_from_filename(name) == title


@pytest.mark.parametrize(("written", "why"), [
    ("2024-02-30", "February 2024 has 29 days"), ("29.02.2023", "February 2023 has 28 days"),
    ("31 April 2024", "April has 30 days"), ("Sept 31, 2024", "September has 30 days"),
    ("2024-13-01", "there is no month 13"), ("2024-03-00", "there is no day 0"),
])
def test_a_date_that_does_not_exist_is_told_so(written, why):
    """Written as a date should be: asking for YYYY-MM-DD would not help."""
    assert unread_date(f"Published: {written}") == f"'Published: {written}' is not a date: {why}"


def test_ambiguous_date_notes_only_month_day_readings_that_could_be_swapped():
    assert parse_date("05/03/2023") == "2023-05-03"
    assert ambiguous_date("Published on 05/03/2023") == (
        "read the date '05/03/2023' as 2023-05-03 (month/day); write 2023-03-05 if it is 5 March"
    )
    assert ambiguous_date("12/1/2024") == (
        "read the date '12/1/2024' as 2024-12-01 (month/day); write 2024-01-12 if it is 12 January"
    )
    for clear in ("31/12/2023", "12/31/2023", "03/03/2023", "2023-05-03", "5 March 2023", "", "x"):
        assert ambiguous_date(clear) == ""


def test_byline_is_an_author_meta_line():
    names = "Dr. Jane Roe and John Smith"
    assert meta_line(f"By {names}", "") == ("author", names)
    assert meta_line("BY JANE ROE", "") == ("author", "JANE ROE")
    assert meta_line("By: Ana de la Cruz, MD", "") == ("author", "Ana de la Cruz, MD")
    # the date after a bar is read by take_meta_lines; a role word may follow the names
    assert meta_line("By Jane Roe | 3 March 2024", "") == ("author", "Jane Roe")
    assert meta_line("By Hematology Weekly staff", "") == ("author", "Hematology Weekly staff")
    for sentence in ("By the end of the year we knew", "By Friday staff were tired", "by jane"):
        assert meta_line(sentence, "") is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.xyz", b"Q: Why?\nA: Because.\n"),
        ("README", b"# Notes\n\nNothing here.\n"),
        ("random.xyz", bytes(range(256)) * 8),
        ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    ],
)
def test_a_file_named_with_an_unknown_extension_is_an_error_naming_the_formats_read(
    tmp_path, caplog, name, content
):
    path = tmp_path / name
    path.write_bytes(content)
    with caplog.at_level(logging.DEBUG):
        result = parse_file(path, name)
    assert result.interviews == []
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.file, p.message.split(":")[0]) for p in errors] == [(name, "unrecognised format")]
    assert "are not read as interviews (formats read: .htm, .html," in errors[0].message
    assert ".txt" in errors[0].message
    assert not caplog.records  # nothing logged past the file's own problems


def test_undecodable_bytes_are_a_warning_of_the_file_not_a_log_line(tmp_path, caplog):
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with caplog.at_level(logging.DEBUG):
        result = parse_file(path, "blob.txt")
    assert not caplog.records
    assert [(p.file, p.severity, p.message) for p in result.problems] == [
        ("blob.txt", "warning", "not UTF-8; decoded as cp1252, undecodable bytes replaced"),
        ("blob.txt", "error", formats.BINARY),
    ]


def test_a_folder_scan_reports_the_files_it_skips(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = {
        "corpus/a.txt": "Q: Why?\nA: Because.\n",
        "corpus/a.txt.meta.json": "{}",
        "corpus/b.MDOWN": "**Q:** Why?\n\n**A:** Because.\n",
        "corpus/scan.pdf": "%PDF",
        "corpus/sub/LICENSE": "MIT",
        "corpus/.DS_Store": "x",
        "corpus/.git/config": "x",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.txt").write_text("Q: Why?\nA: Because.\n")
    (tmp_path / "corpus" / "linked").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "corpus" / ".git" / "lib64").symlink_to(tmp_path / "elsewhere")  # hidden
    problems: list = []
    found = corpus.collect(["corpus"], problems)
    assert [s.display for s in found] == ["corpus/a.txt", "corpus/b.MDOWN"]
    assert [(p.file, p.severity, p.message.split(" (")[0]) for p in problems] == [
        ("corpus/linked", "warning",
         "skipped: a linked folder is not followed; move the folder into the corpus instead"),
        ("corpus/scan.pdf", "warning", "skipped: .pdf files are not read as interviews"),
        ("corpus/sub/LICENSE", "warning",
         "skipped: files without an extension are not read as interviews"),
    ]


def test_dotted_dates_are_day_first_and_only_swappable_ones_are_ambiguous():
    assert [parse_date(s) for s in ("12.03.2024", "5.3.2023", "31.12.2023", "12.31.2023",
                                    "2024.03.12", "March 2024", "12.3.24")] == [
        "2024-03-12", "2023-03-05", "2023-12-31", "2023-12-31", "2024-03-12", "", ""]
    assert ambiguous_date("Published: 05.03.2023") == (
        "read the date '05.03.2023' as 2023-03-05 (day.month, the usual order of dotted "
        "dates); write 2023-05-03 if it is 3 May")
    for clear in ("12.31.2023", "31.12.2023", "03.03.2023", "2023.05.03"):
        assert ambiguous_date(clear) == ""
