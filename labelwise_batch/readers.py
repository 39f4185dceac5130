"""Input files as a stream of events: documents, deletions and per-record problems, each with its line.

PubMed XML follows src/io/formats/pubmed-xml.ts field by field (PMID, ArticleTitle or BookTitle, AbstractText with
structured `Label`s as "LABEL: text" paragraphs joined by line breaks, inline markup kept as its text, articles
without an abstract skipped, later records with a PMID already seen dropped as duplicates) and adds what update files
need: each `DeleteCitation` PMID becomes a deletion. lxml parses it as a stream and never resolves entities, loads a
DTD or touches the network. JSONL is the dataset shape: {"id", "text", "pmid"?, "title"?} per line.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

RECORD_ELEMENTS = {"PubmedArticle", "PubmedBookArticle"}
ROOTS = {"PubmedArticleSet", "PubmedBookArticleSet", "eFetchResult", *RECORD_ELEMENTS}
CAPTURED = {
    "MedlineCitation/PMID": "pmid",
    "MedlineCitation/Article/ArticleTitle": "title",
    "MedlineCitation/Article/Abstract/AbstractText": "abstract",
    "BookDocument/PMID": "pmid",
    "BookDocument/ArticleTitle": "title",
    "BookDocument/Book/BookTitle": "bookTitle",
    "BookDocument/Abstract/AbstractText": "abstract",
}
PMID_PATTERN = re.compile(r"[1-9][0-9]{0,9}")
SPACE_RUNS = re.compile(r"[\t\r\n][ \t\r\n]*| [ \t\r\n]+")
GZIP_MAGIC = b"\x1f\x8b"


def normalize_space(text: str) -> str:
    """As src/io/formats/parser.ts normalizeSpace: runs of white space become one space, ends trimmed of one."""
    collapsed = SPACE_RUNS.sub(" ", text)
    return collapsed[1 if collapsed.startswith(" ") else 0 : len(collapsed) - (1 if collapsed.endswith(" ") else 0)]


class InputError(Exception):
    """The file cannot be read on (not gzip, truncated, not XML...): `line` is where reading stopped."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class Document:
    id: str
    pmid: str | None
    title: str | None
    text: str
    line: int


@dataclass
class Deletion:
    pmid: str
    line: int


@dataclass
class Problem:
    """A record that was not classified: `skipped` (no abstract, duplicate) is expected, an error is not."""

    message: str
    line: int | None
    error: bool


def open_input(path: Path):
    """A binary stream of the file's bytes, gunzipped when the file is gzip (by its first bytes, not its name)."""
    with open(path, "rb") as probe:
        head = probe.read(2)
    if head == b"":
        raise InputError("the file is empty")
    if head == GZIP_MAGIC:
        return gzip.open(path, "rb")
    if path.name.endswith(".gz"):
        raise InputError("not a gzip file (the name ends in .gz but the content does not start like gzip)")
    return open(path, "rb")


def read_events(path: Path) -> Iterator[Document | Deletion | Problem]:
    """Events of one file, in file order. Raises InputError where the file cannot be read on."""
    if path.name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        yield from read_jsonl(path)
    else:
        yield from read_pubmed_xml(path)


def read_jsonl(path: Path) -> Iterator[Document | Problem]:
    seen: set[str] = set()
    with open_input(path) as stream:
        try:
            for number, raw in enumerate(stream, 1):
                line = raw.decode("utf-8", errors="replace").strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise ValueError("expected a JSON object")
                    doc_id = record.get("id")
                    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int | float) or doc_id == "":
                        raise ValueError('field "id": expected a non-empty string or a number')
                    if not isinstance(record.get("text"), str):
                        raise ValueError('field "text": expected a string')
                    pmid = record.get("pmid")
                    if pmid is not None and not isinstance(pmid, str | int):
                        raise ValueError('field "pmid": expected a string or a number')
                except ValueError as error:  # json.JSONDecodeError is one
                    yield Problem(str(error), number, error=True)
                    continue
                doc_id = str(doc_id)
                if doc_id in seen:
                    yield Problem(f'id "{doc_id}" was seen earlier in this file', number, error=False)
                    continue
                seen.add(doc_id)
                title = record.get("title") if isinstance(record.get("title"), str) else None
                yield Document(doc_id, None if pmid is None else str(pmid), title, record["text"], number)
        except (EOFError, OSError, zlib.error) as error:
            raise InputError(f"cannot read on: {error}", number if "number" in locals() else None) from error


def read_pubmed_xml(path: Path) -> Iterator[Document | Deletion | Problem]:
    stream = open_input(path)
    parser = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    seen: set[str] = set()
    stack: list[str] = []
    record: dict | None = None  # the open PubmedArticle: its depth, line and fields
    record_depth = 0
    line = 1
    try:
        for event, element in parser:
            line = element.sourceline or line
            if event == "start":
                if not stack and element.tag not in ROOTS:
                    raise InputError(
                        f"not a PubMed XML file: the root element is <{element.tag}>, expected <PubmedArticleSet>", line
                    )
                stack.append(element.tag)
                if record is None and element.tag in RECORD_ELEMENTS:
                    record, record_depth = {"line": line, "paragraphs": []}, len(stack) - 1
                continue
            depth = len(stack) - 1
            path_in_record = "/".join(stack[record_depth + 1 :]) if record is not None else None
            stack.pop()
            if record is not None and depth > record_depth:
                field = CAPTURED.get(path_in_record)
                if field and not _inside_capture(stack[record_depth + 1 :]):
                    text = normalize_space("".join(element.itertext()))
                    if field == "abstract":
                        label = element.get("Label")
                        if text:
                            prefix = f"{label}: " if label and label.upper() != "UNLABELLED" else ""
                            record["paragraphs"].append(prefix + text)
                    else:
                        record.setdefault(field, text)
                continue
            if record is not None and depth == record_depth:
                yield _finish(record, seen)
                record = None
                _drop(element)
            elif record is None and element.tag == "PMID" and stack and stack[-1] == "DeleteCitation":
                yield Deletion(normalize_space(element.text or ""), line)
            elif record is None and element.tag == "DeleteCitation":
                _drop(element)
            elif record is None and element.tag == "ERROR":
                yield Problem(f"E-utilities: {normalize_space(''.join(element.itertext()))}", line, error=True)
    except etree.XMLSyntaxError as error:
        if record is not None:
            raise InputError(
                f"the file breaks off inside <PubmedArticle> (opened on line {record['line']}): {error.msg}",
                error.lineno,
            ) from error
        raise InputError(f"not well-formed XML: {error.msg}", error.lineno) from error
    except (EOFError, OSError, zlib.error) as error:
        raise InputError(f"cannot read on (truncated or corrupt gzip?): {error}", line) from error
    finally:
        stream.close()


def _inside_capture(parents: list[str]) -> bool:
    """Whether some ancestor inside the record is itself captured (its text already includes this element's)."""
    return any("/".join(parents[:n]) in CAPTURED for n in range(1, len(parents) + 1))


def _drop(element) -> None:
    """Frees a finished record so memory stays flat over a 30,000-citation file."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _finish(record: dict, seen: set[str]) -> Document | Problem:
    """As src/io/formats/parser.ts pubmedRecord, plus the import's duplicate check."""
    line, pmid = record["line"], record.get("pmid")
    title = record.get("title") or record.get("bookTitle") or ""
    abstract = "\n".join(record["paragraphs"])
    if not pmid:
        return Problem("record has no PMID", line, error=True)
    if not PMID_PATTERN.fullmatch(pmid):
        return Problem(f'PMID "{pmid}" is not a number', line, error=True)
    if abstract == "":
        reason = "has neither title nor abstract" if title == "" else "has no abstract"
        return Problem(f"PMID {pmid} {reason}", line, error=False)
    if pmid in seen:
        return Problem(f"PMID {pmid} was seen earlier in this file", line, error=False)
    seen.add(pmid)
    return Document(pmid, pmid, title or None, abstract, line)
