#!/usr/bin/env python3
"""Reads an iCalendar file with Python's icalendar package (an independent RFC 5545
parser) and prints, as JSON, the file's METHOD and each VEVENT: uid, sequence, status,
summary, and dtstart/dtend with their TZID, the local time in ISO 8601 with its UTC
offset and zone name, and the UTC instant both as the zone database reads the TZID and
as the file's own VTIMEZONE defines it. Exits non-zero when the file does not parse,
or breaks the content-line rules (CRLF endings, lines of at most 75 octets), or a
VEVENT lacks UID, DTSTAMP or DTSTART.

Usage: ics_check.py FILE.ics
"""
import json
import sys
from datetime import datetime, timezone

import icalendar


def fail(message):
    print(f"ics_check: {message}", file=sys.stderr)
    sys.exit(1)


def check_lines(raw):
    if not raw.endswith(b"\r\n"):
        fail("the file does not end with CRLF")
    for n, line in enumerate(raw[:-2].split(b"\r\n"), 1):
        if b"\n" in line or b"\r" in line:
            fail(f"line {n}: a bare CR or LF")
        if len(line) > 75:
            fail(f"line {n}: {len(line)} octets, more than 75")


def moment(prop, own_zones):
    """A DTSTART/DTEND property as a dict."""
    value = prop.dt
    if not isinstance(value, datetime):
        return {"date": value.isoformat()}
    tzid = prop.params.get("TZID")
    out = {
        "tzid": tzid,
        "local": value.isoformat(),
        "utc_offset": value.strftime("%z") if value.tzinfo else None,
        "zone": value.tzname() if value.tzinfo else None,
    }
    if value.tzinfo is not None:
        out["utc"] = value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if tzid is not None:
        # the same wall clock against the VTIMEZONE the file carries
        own = own_zones.get(tzid)
        if own is None:
            fail(f"TZID {tzid} has no VTIMEZONE in the file")
        here = value.replace(tzinfo=None).replace(tzinfo=own)
        out["utc_by_vtimezone"] = here.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def main():
    if len(sys.argv) != 2:
        fail("usage: ics_check.py FILE.ics")
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    check_lines(raw)
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except Exception as e:  # the parser's own error, whatever its type
        fail(f"does not parse: {e}")
    own_zones = {}
    for vtz in cal.walk("VTIMEZONE"):
        try:
            own_zones[str(vtz["TZID"])] = vtz.to_tz(lookup_tzid=False)
        except Exception as e:
            fail(f"VTIMEZONE {vtz.get('TZID')}: {e}")
    events = []
    for ev in cal.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            if required not in ev:
                fail(f"a VEVENT without {required}")
        events.append(
            {
                "uid": str(ev["UID"]),
                "sequence": int(ev.get("SEQUENCE", 0)),
                "status": str(ev["STATUS"]) if "STATUS" in ev else None,
                "summary": str(ev["SUMMARY"]) if "SUMMARY" in ev else None,
                "dtstamp": ev["DTSTAMP"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "dtstart": moment(ev["DTSTART"], own_zones),
                "dtend": moment(ev["DTEND"], own_zones) if "DTEND" in ev else None,
            }
        )
    method = cal.get("METHOD")
    print(json.dumps({"method": str(method) if method is not None else None, "events": events}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
