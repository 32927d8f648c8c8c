"""Data tools: CSV, JSON, XLSX, XML and YAML converted both ways without losing types,
and hostile inputs (formula cells, XML bombs, external entities, alias bombs) refused
or made harmless."""

from __future__ import annotations

import io
import json
import zipfile

import httpx
import openpyxl
import pytest
import yaml

from tests.tools.helpers import call_tool, run_tool

CSV = (
    "name,born,score,ratio,active,note\n"
    "Zoë,1990-02-28,42,1.5,true,naïve café\n"
    "Łukasz,2001-12-01,-7,0.25,false,007\n"
    '李,1985-07-04,0,3.0,true,"a, quoted; cell"\n'
).encode()
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def files_tool(
    client: httpx.AsyncClient, tool: str, files: object, settings: dict[str, object] | None = None
) -> tuple[dict[str, object], bytes]:
    return await run_tool(client, tool, files, settings, section="files")  # type: ignore[arg-type]


async def test_csv_json_round_trip_keeps_types(client: httpx.AsyncClient) -> None:
    data, out = await files_tool(client, "csv-json", ("people.csv", CSV))
    records = json.loads(out)
    assert records[0] == {"name": "Zoë", "born": "1990-02-28", "score": 42, "ratio": 1.5,
                          "active": True, "note": "naïve café"}  # fmt: skip
    assert records[1]["note"] == "007" and records[2]["ratio"] == 3.0  # text stays text
    assert data["data"]["rows"] == 3  # type: ignore[index]
    _, back = await files_tool(client, "csv-json", ("people.json", out))
    assert back == CSV
    body = await call_tool(
        client, "csv-json", ("x.json", b'{"a": 1, "b": 2}'), section="files", expect=422
    )
    assert body["error"]["code"] == "tool_input_corrupt"


async def test_csv_excel_round_trip_and_formula_cells(client: httpx.AsyncClient) -> None:
    _, xlsx = await files_tool(client, "csv-excel", ("people.csv", CSV))
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert ws["C2"].value == 42 and ws["D2"].value == 1.5 and ws["E2"].value is True
    assert ws["B2"].is_date and ws["F3"].value == "007"
    _, back = await files_tool(client, "csv-excel", ("people.xlsx", xlsx, XLSX_TYPE))
    assert back == CSV
    hostile = b'cell\n=1+1\n+SUM(A1:A2)\n-2+3\n@cmd\n=HYPERLINK("http://x")\n'
    _, xlsx = await files_tool(client, "csv-excel", ("evil.csv", hostile))
    sheet = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet  # no formula anywhere
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert [c.value for c in ws["A"]][1:] == ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd",
                                              '=HYPERLINK("http://x")']  # fmt: skip
    assert all(c.data_type == "s" for c in ws["A"])


def _with_sheet_xml(xlsx: bytes, replace: tuple[bytes, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(*replace)
            dst.writestr(info, body)
    return buf.getvalue()


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["billion-laughs", "external-entity"],
)
async def test_xlsx_with_entities_is_refused(client: httpx.AsyncClient, doctype: bytes) -> None:
    _, xlsx = await files_tool(client, "csv-excel", ("t.csv", b"a\nhello\n"))
    xml_decl = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    evil = _with_sheet_xml(xlsx, (b"<worksheet", doctype + b"<worksheet"))
    if xml_decl not in evil:
        evil = _with_sheet_xml(xlsx, (b"<worksheet", doctype + b"<worksheet"))
    body = await call_tool(
        client, "csv-excel", ("evil.xlsx", evil, XLSX_TYPE), section="files", expect=422
    )
    assert body["error"]["code"] == "tool_input_corrupt"
    assert "passwd" not in json.dumps(body) or "refused" in body["error"]["message"]
    assert (await client.get("/api/v1/health")).status_code == 200


async def test_json_xml_both_ways(client: httpx.AsyncClient) -> None:
    value = {"library": {"@city": "Kraków", "book": [{"title": "Ä", "year": "1999"},
                                                     {"title": "B", "year": "2001"}],
                         "3rd key": "x"}}  # fmt: skip
    _, xml = await files_tool(client, "json-xml", ("lib.json", json.dumps(value).encode()))
    assert b'<library city="Krak\xc3\xb3w">' in xml and xml.count(b"<book>") == 2
    assert b'<item key="3rd key">x</item>' in xml
    _, back = await files_tool(client, "json-xml", ("lib.xml", xml))
    assert json.loads(back) == {"root": value}
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<l>&b;</l>"
    )
    body = await call_tool(client, "json-xml", ("b.xml", bomb), section="files", expect=422)
    assert body["error"]["code"] == "tool_input_corrupt" and "Entities" in body["error"]["message"]


async def test_xml_to_csv_finds_the_records(client: httpx.AsyncClient) -> None:
    xml = (
        b"<catalog><meta><v>1</v></meta>"
        b'<book id="1"><title>Dune</title><price>9.5</price></book>'
        b'<book id="2"><title>Emma</title><author>Austen</author></book>'
        b'<book id="3"><title>Ulysses</title></book></catalog>'
    )
    _, out = await files_tool(client, "xml-to-csv", ("c.xml", xml))
    assert out.decode().splitlines() == [
        "@id,title,price,author", "1,Dune,9.5,", "2,Emma,,Austen", "3,Ulysses,,",
    ]  # fmt: skip


async def test_yaml_json_both_ways_and_the_alias_bomb(client: httpx.AsyncClient) -> None:
    doc = "name: Zoë\nlist: [1, 2.5, true]\nnested: {a: null}\n"
    _, out = await files_tool(client, "yaml-json", ("c.yaml", doc.encode()))
    assert json.loads(out) == {"name": "Zoë", "list": [1, 2.5, True], "nested": {"a": None}}
    _, back = await files_tool(client, "yaml-json", ("c.json", out))
    assert yaml.safe_load(back) == yaml.safe_load(doc)
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    body = await call_tool(
        client, "yaml-json", ("bomb.yaml", "\n".join(lines).encode()), section="files", expect=422
    )
    assert body["error"]["code"] == "tool_input_too_large"
    body = await call_tool(
        client, "yaml-json", ("x.yaml", b"!!python/object/apply:os.system [ls]"),
        section="files", expect=422,
    )  # fmt: skip
    assert body["error"]["code"] == "tool_input_corrupt"


async def test_split_and_merge_csvs(client: httpx.AsyncClient) -> None:
    rows = b"id,v\n" + b"".join(f"{i},{i * i}\n".encode() for i in range(1, 8))
    data, out = await files_tool(client, "split-csv", ("r.csv", rows), {"rowsPerFile": 3})
    archive = zipfile.ZipFile(io.BytesIO(out))
    parts = [archive.read(f["name"]) for f in data["files"][:-1]]  # type: ignore[index]
    assert [p.count(b"\n") for p in parts] == [4, 4, 2] and all(
        p.startswith(b"id,v") for p in parts
    )
    _, merged = await files_tool(
        client,
        "merge-csvs",
        [("a.csv", parts[0]), ("b.csv", b"v,id\n100,10\n"), ("c.csv", parts[2])],
    )
    assert merged.decode().splitlines() == ["id,v", "1,1", "2,4", "3,9", "10,100", "7,49"]
    body = await call_tool(
        client, "merge-csvs", [("a.csv", parts[0]), ("b.csv", b"x\n1\n")], section="files",
        expect=422,
    )  # fmt: skip
    assert body["error"]["code"] == "table_columns_mismatch"
    body = await call_tool(
        client, "split-csv", ("r.csv", rows), {"rowsPerFile": 0}, section="files", expect=422
    )
    assert body["error"]["fields"][0]["field"] == "settings.rowsPerFile"
