"""``[storage] type = plugins.storage`` as a complete Radicale storage on its own.

Stock Radicale (its own `Application`, nothing of CalBridge in front) serves
these tests over real HTTP with the SQL storage on a database that has no
schema yet, and the same requests go to Radicale's file storage in a new
folder: both must answer alike. Logins are `tests.stock_radicale`'s htpasswd
users; ``authenticated`` rights let them write anywhere, the root included.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import radicale
import sqlalchemy as sa
from a2wsgi import WSGIMiddleware

from bridge.store.db import create_engine
from tests.servers import serve_in_thread
from tests.stock_radicale import USERS, radicale_configuration

STORES = ("file", "sql")

Start = Callable[..., contextlib.AbstractContextManager[httpx.Client]]

MKCOL_ADDRESS_BOOK = """<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>
  </D:prop></D:set>
</D:mkcol>"""

PROPFIND_CONTENT_TYPE = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:getcontenttype/></D:prop></D:propfind>"""

ADDRESS_BOOK_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<CR:addressbook-query xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:prop><D:getcontenttype/><D:getetag/></D:prop>
</CR:addressbook-query>"""

FREE_BUSY_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="20261130T000000Z" end="20261221T000000Z"/>
</C:free-busy-query>"""

MULTIGET = """<?xml version="1.0" encoding="utf-8"?>
<CR:addressbook-multiget xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:prop><D:getetag/></D:prop>
  <D:href>/alice/book/small.vcf</D:href>
  <D:href>/alice/book/big.vcf</D:href>
  <D:href>/alice/book/missing.vcf</D:href>
</CR:addressbook-multiget>"""

WEEK_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20261130T000000Z" end="20261207T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""


def _vcard(uid: str, note: str = "") -> str:
    note_line = f"NOTE:{note}\r\n" if note else ""
    return (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{uid}\r\nN:{uid};;;;\r\n"
        f"{note_line}END:VCARD\r\n"
    )


def _event(uid: str, start: str, extra: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDURATION:PT1H\r\n"
        f"SUMMARY:{uid}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _storage_section(store: str, root: Path, database_url: str) -> dict[str, str]:
    if store == "file":
        return {"type": "multifilesystem", "filesystem_folder": str(root / "collections")}
    return {"type": "plugins.storage", "database_url": database_url}


@contextlib.contextmanager
def _radicale(store: str, root: Path, database_url: str, **server: str) -> Iterator[httpx.Client]:
    """Stock Radicale on `store`, signed in as alice, until exit; `server` options apply."""
    configuration = radicale_configuration(root)
    configuration.update(
        {
            "rights": {"type": "authenticated"},
            "storage": _storage_section(store, root, database_url),
            "server": server,
        },
        "standalone storage test",
    )
    with (
        serve_in_thread(WSGIMiddleware(radicale.Application(configuration))) as url,  # type: ignore[arg-type]
        httpx.Client(base_url=url, auth=("alice", USERS["alice"]), trust_env=False) as client,
    ):
        yield client


@pytest.fixture
def radicale_on(tmp_path: Path, empty_database_url: str) -> Start:
    """Start Radicale on the file storage or on the SQL storage's fresh database.

    Each store keeps its data across restarts within a test, so a test can
    change the configuration the way an administrator would.
    """

    def start(store: str, **server: str) -> contextlib.AbstractContextManager[httpx.Client]:
        return _radicale(store, tmp_path / store, empty_database_url, **server)

    return start


def _hrefs(multistatus: str) -> list[str]:
    """The hrefs of a multistatus' responses (not those inside properties)."""
    return sorted(re.findall(r"<response><href>([^<]+)</href>", multistatus))


def _content_types(multistatus: str) -> list[str]:
    return re.findall(r"<getcontenttype>([^<]+)</getcontenttype>", multistatus)


def test_a_fresh_database_is_migrated_on_first_use(
    radicale_on: Start, empty_database_url: str
) -> None:
    answers = {}
    for store in STORES:
        with radicale_on(store) as dav:
            made = dav.request("MKCALENDAR", "/alice/calendar/")
            stored = dav.put("/alice/calendar/a.ics", content=_event("a", "20261201T090000Z"))
            fetched = dav.get("/alice/calendar/a.ics")
        answers[store] = (made.status_code, stored.status_code, fetched.status_code)
        assert "UID:a" in fetched.text
    assert answers["sql"] == answers["file"] == (201, 201, 200)
    engine = create_engine(empty_database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()


STARTER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import httpx
    import radicale
    from a2wsgi import WSGIMiddleware

    from tests.servers import serve_in_thread
    from tests.stock_radicale import USERS, radicale_configuration

    database_url, root, name = sys.argv[1:]
    configuration = radicale_configuration(Path(root))
    configuration.update(
        {"storage": {"type": "plugins.storage", "database_url": database_url}}, "starter"
    )
    print("ready", flush=True)
    sys.stdin.readline()
    app = radicale.Application(configuration)
    with serve_in_thread(WSGIMiddleware(app)) as url:
        made = httpx.request(
            "MKCALENDAR", f"{url}/alice/{name}/", auth=("alice", USERS["alice"]), trust_env=False
        )
    print(made.status_code, flush=True)
    """
)


def test_processes_starting_together_on_a_fresh_database_all_serve(
    tmp_path: Path, empty_database_url: str, radicale_on: Start
) -> None:
    """Each migrates on start; the lock lets one do it while the others wait."""
    names = [f"calendar-{n}" for n in range(3)]
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, empty_database_url, str(tmp_path / name), name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        for name in names
    ]
    for starter in starters:
        assert starter.stdout is not None and starter.stdout.readline() == "ready\n"
    for starter in starters:
        assert starter.stdin is not None
        starter.stdin.write("go\n")
        starter.stdin.flush()
    for starter in starters:
        output, errors = starter.communicate(timeout=120)
        assert (starter.returncode, output) == (0, "201\n"), errors
    with radicale_on("sql") as dav:
        listing = dav.request("PROPFIND", "/alice/", headers={"Depth": "1"}).text
    assert [href for href in _hrefs(listing) if "calendar-" in href] == [
        f"/alice/{name}/" for name in names
    ]


def test_address_book_items_are_vcards(radicale_on: Start) -> None:
    answers = {}
    for store in STORES:
        with radicale_on(store) as dav:
            assert dav.request("MKCOL", "/alice/book/", content=MKCOL_ADDRESS_BOOK).is_success
            assert dav.put("/alice/book/ada.vcf", content=_vcard("ada")).status_code == 201
            header = dav.get("/alice/book/ada.vcf").headers["content-type"]
            listed = dav.request(
                "PROPFIND", "/alice/book/", content=PROPFIND_CONTENT_TYPE, headers={"Depth": "1"}
            ).text
            reported = dav.request("REPORT", "/alice/book/", content=ADDRESS_BOOK_QUERY).text
        answers[store] = (header, _content_types(listed), _content_types(reported))
    assert answers["sql"] == answers["file"]
    assert answers["sql"][0] == "text/vcard; charset=utf-8"
    assert "text/vcard;charset=utf-8" in answers["sql"][1]
    assert answers["sql"][2] == ["text/vcard;charset=utf-8"]


def test_deleting_the_root_deletes_every_collection_below_it(radicale_on: Start) -> None:
    answers = {}
    for store in STORES:
        with radicale_on(store) as dav:
            dav.request("MKCALENDAR", "/alice/calendar/")
            dav.put("/alice/calendar/a.ics", content=_event("a", "20261201T090000Z"))
            dav.request("MKCOL", "/alice/book/", content=MKCOL_ADDRESS_BOOK)
            dav.put("/alice/book/ada.vcf", content=_vcard("ada"))
            deleted = dav.delete("/").status_code
            after = [
                dav.get(path).status_code
                for path in ("/alice/calendar/", "/alice/calendar/a.ics", "/alice/book/ada.vcf")
            ]
        answers[store] = (deleted, after)
    assert answers["sql"] == answers["file"] == (200, [404, 404, 404])


def test_free_busy_matches_the_file_storage(radicale_on: Start) -> None:
    events = {
        "busy.ics": _event("busy", "20261201T090000Z"),
        "weekly.ics": _event("weekly", "20261202T140000Z", "RRULE:FREQ=WEEKLY;COUNT=3\r\n"),
        "cancelled.ics": _event("cancelled", "20261203T100000Z", "STATUS:CANCELLED\r\n"),
        "maybe.ics": _event("maybe", "20261204T100000Z", "STATUS:TENTATIVE\r\n"),
        "free.ics": _event("free", "20261205T100000Z", "TRANSP:TRANSPARENT\r\n"),
    }
    answers = {}
    for store in STORES:
        with radicale_on(store) as dav:
            dav.request("MKCALENDAR", "/alice/calendar/")
            for href, text in events.items():
                assert dav.put(f"/alice/calendar/{href}", content=text).status_code == 201
            answer = dav.request("REPORT", "/alice/calendar/", content=FREE_BUSY_QUERY)
        assert answer.status_code == 200
        answers[store] = re.sub(r"DTSTAMP:\S+", "DTSTAMP:-", answer.text)
    assert answers["sql"] == answers["file"]
    kinds = re.findall(r"FREEBUSY;FBTYPE=([A-Z-]+):", answers["sql"])
    assert sorted(kinds) == ["BUSY", "BUSY", "BUSY", "BUSY", "BUSY-TENTATIVE", "FREE"]


def test_items_over_a_lowered_size_limit_are_not_served(radicale_on: Start) -> None:
    """Radicale checks a PUT's size in characters and the stored size in bytes:
    an accented card under the limit in one and over it in the other is stored
    but not served."""
    big_note = "x" * 2000
    answers = {}
    for store in STORES:
        with radicale_on(store) as dav:
            dav.request("MKCOL", "/alice/book/", content=MKCOL_ADDRESS_BOOK)
            dav.put("/alice/book/small.vcf", content=_vcard("small"))
            dav.put("/alice/book/big.vcf", content=_vcard("big", big_note))
            dav.request("MKCALENDAR", "/alice/calendar/")
            dav.put("/alice/calendar/small.ics", content=_event("small", "20261201T090000Z"))
            dav.put(
                "/alice/calendar/big.ics",
                content=_event("big", "20261202T090000Z", f"DESCRIPTION:{big_note}\r\n"),
            )
        with radicale_on(store, max_resource_size="1000") as dav:
            answers[store] = (
                [dav.get(f"/alice/book/{name}.vcf").status_code for name in ("small", "big")],
                _hrefs(dav.request("PROPFIND", "/alice/book/", headers={"Depth": "1"}).text),
                _hrefs(dav.request("REPORT", "/alice/book/", content=ADDRESS_BOOK_QUERY).text),
                _hrefs(dav.request("REPORT", "/alice/book/", content=MULTIGET).text),
                _hrefs(dav.request("REPORT", "/alice/calendar/", content=WEEK_QUERY).text),
                dav.get("/alice/calendar/").text.count("BEGIN:VEVENT"),
                dav.delete("/alice/book/big.vcf").status_code,
                dav.put(
                    "/alice/book/accents.vcf", content=_vcard("accents", "é" * 600)
                ).status_code,
                dav.get("/alice/book/accents.vcf").status_code,
            )
    assert answers["sql"] == answers["file"]
    assert answers["sql"] == (
        [200, 404],
        ["/alice/book/", "/alice/book/big.vcf", "/alice/book/small.vcf"],
        ["/alice/book/small.vcf"],
        ["/alice/book/missing.vcf", "/alice/book/small.vcf"],
        ["/alice/calendar/small.ics"],
        1,
        404,
        201,
        404,
    )


PROPPATCH_DISPLAY_NAME = """<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:">
  <D:set><D:prop><D:displayname>Everything</D:displayname></D:prop></D:set>
</D:propertyupdate>"""

PROPFIND_DISPLAY_NAME = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>"""


def test_the_root_keeps_properties_until_it_is_deleted(radicale_on: Start) -> None:
    answers = {}
    for store in STORES:
        with radicale_on(store) as dav:
            patched = dav.request("PROPPATCH", "/", content=PROPPATCH_DISPLAY_NAME).status_code
            named = dav.request(
                "PROPFIND", "/", content=PROPFIND_DISPLAY_NAME, headers={"Depth": "1"}
            ).text
            dav.delete("/")
            after = dav.request(
                "PROPFIND", "/", content=PROPFIND_DISPLAY_NAME, headers={"Depth": "0"}
            ).text
        answers[store] = (patched, named.count("Everything"), after.count("Everything"))
    assert answers["sql"] == answers["file"] == (207, 1, 0)
