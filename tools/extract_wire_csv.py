#!/usr/bin/env python3
"""Extract the wire formats from the BOLT markdown into a CSV catalogue.

Usage:
    python tools/extract_wire_csv.py BOLTS_DIR amiko/wire/bolt_catalogue.csv

BOLTS_DIR is a checkout of https://github.com/lightning/bolts. The output follows Core
Lightning's CSV style (one record per line, no header):

    msgtype,<name>,<type>[,<option>]             a peer message
    msgdata,<msg>,<field>,<type>,<count>          one of its fields
    subtype,<name>                                a structure used inside others
    subtypedata,<subtype>,<field>,<type>,<count>
    tlvtype,<stream>,<record>,<type>              a TLV record of a stream
    tlvdata,<stream>,<record>,<field>,<type>,<count>
    failtype,<name>,<flags|code>,<numeric code>   a BOLT #4 onion failure message
    faildata,<name>,<field>,<type>,<count>

<count> is empty for a single value, a number for a fixed-size array, `...` for an array
that takes the rest of the message or record, or the name of an earlier length field.
Lines starting with `#` are comments.

What is recognised in the markdown:

    1. type: 16 (`init`)                      -> msgtype (failtype in BOLT #4's
    2. data:                                     "Failure Messages" section, or when the
       * [`u16`:`gflen`]                         code uses flags such as `PERM|15`)
       * [`gflen*byte`:`globalfeatures`]
    1. subtype: `witness`                     -> subtype
    1. type: `onion_packet`                   -> subtype (a named structure)
    1. `tlv_stream`: `init_tlvs`              -> tlv stream, whose records follow
    2. types:                                    `2. types:` as nested `1. type: N (`name`)`
       1. type: 1 (`networks`)                   with an optional `2. data:` list
       2. data:
          * [`...*chain_hash`:`chains`]

Structures whose data list contains prose items (`* ...`, `` * `filler` ``) cannot be
described by the format and are skipped with a note on stderr. A message that does not
list its TLV stream as a field, but is immediately followed by a stream named
`<message>_tlvs`, gets an implicit trailing `tlvs` field (the spec writes several BOLT #2
messages that way).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_BOLTS = ("01", "02", "04", "07", "12")

FAILURE_FLAGS = {"BADONION": 0x8000, "PERM": 0x4000, "NODE": 0x2000, "UPDATE": 0x1000}

RE_HEADING = re.compile(r"^(#+)\s+(.*?)\s*$")
RE_TYPE = re.compile(
    r"^\s*1\.\s+type:\s+(?P<code>[0-9A-Z|]+)\s+\(`(?P<name>[^`]+)`\)(?:\s+\(`(?P<opt>[^`]+)`\))?\s*$"
)
RE_STRUCT = re.compile(r"^\s*1\.\s+type:\s+`(?P<name>[^`]+)`\s*$")
RE_SUBTYPE = re.compile(r"^\s*1\.\s+subtype:\s+`(?P<name>[^`]+)`\s*$")
RE_STREAM = re.compile(r"^\s*1\.\s+`tlv_stream`:\s+`(?P<name>[^`]+)`\s*$")
RE_DATA = re.compile(r"^\s*2\.\s+data:\s*$")
RE_TYPES = re.compile(r"^\s*2\.\s+types:\s*$")
RE_FIELD = re.compile(r"^\s*\*\s+\[`(?P<type>[^`]+)`:`(?P<name>[^`]+)`\]\s*$")
RE_ITEM = re.compile(r"^\s*\*\s")


@dataclass
class FieldDef:
    name: str
    type: str
    count: str  # "" | digits | "..." | length field name


@dataclass
class Container:
    kind: str  # "msg" | "subtype" | "fail" | "record"
    name: str
    code: str = ""  # message / record type, or failure code expression
    option: str = ""
    fields: list[FieldDef] = field(default_factory=list)
    broken: str = ""  # why it cannot be described
    source: str = ""
    stream: str = ""  # for records
    cls: str = ""  # Python class name (set by tools/gen_wire.py)


@dataclass
class Stream:
    name: str
    records: list[Container] = field(default_factory=list)
    source: str = ""
    cls: str = ""


@dataclass
class Catalogue:
    messages: list[Container] = field(default_factory=list)
    subtypes: list[Container] = field(default_factory=list)
    streams: list[Stream] = field(default_factory=list)
    failures: list[Container] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_field(line: str) -> FieldDef | None:
    m = RE_FIELD.match(line)
    if m is None:
        return None
    ftype, name = m.group("type"), m.group("name")
    count = ""
    if "*" in ftype:
        count, _, ftype = ftype.partition("*")
    return FieldDef(name=name, type=ftype, count=count)


def failure_code(expr: str) -> int:
    value = 0
    for part in expr.split("|"):
        value |= int(part) if part.isdigit() else FAILURE_FLAGS[part]
    return value


def parse_file(path: Path, cat: Catalogue) -> None:
    source = path.name
    in_failures_level = 0  # heading level of the "Failure Messages" section, 0 if outside
    container: Container | None = None
    stream: Stream | None = None
    in_data = False

    def close() -> None:
        nonlocal container, stream, in_data
        container, stream, in_data = None, None, False

    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{source}:{lineno}"
        heading = RE_HEADING.match(line)
        if heading:
            close()
            level = len(heading.group(1))
            if in_failures_level and level <= in_failures_level:
                in_failures_level = 0
            if heading.group(2).strip().lower() == "failure messages":
                in_failures_level = level
            continue
        if not line.strip():
            close()
            continue
        m_stream = RE_STREAM.match(line)
        if m_stream:
            close()
            stream = Stream(name=m_stream.group("name"), source=where)
            cat.streams.append(stream)
            continue
        if RE_TYPES.match(line):
            if stream is None:
                cat.notes.append(f"{where}: `types:` outside a tlv_stream ignored")
            continue
        m_type = RE_TYPE.match(line)
        if m_type:
            name, code, opt = m_type.group("name"), m_type.group("code"), m_type.group("opt") or ""
            in_data = False
            if stream is not None:
                container = Container("record", name, code=code, source=where, stream=stream.name)
                stream.records.append(container)
            elif in_failures_level or "|" in code:
                close()
                container = Container("fail", name, code=code, source=where)
                cat.failures.append(container)
            else:
                close()
                container = Container("msg", name, code=code, option=opt, source=where)
                cat.messages.append(container)
            continue
        m_sub = RE_SUBTYPE.match(line) or RE_STRUCT.match(line)
        if m_sub:
            close()
            container = Container("subtype", m_sub.group("name"), source=where)
            cat.subtypes.append(container)
            continue
        if RE_DATA.match(line):
            if container is None:
                cat.notes.append(f"{where}: `data:` without a type ignored")
            in_data = container is not None
            continue
        if RE_ITEM.match(line) and in_data and container is not None:
            fdef = parse_field(line)
            if fdef is None:
                container.broken = container.broken or f"{where}: {line.strip()}"
            else:
                container.fields.append(fdef)
            continue
        # Any other line (prose, `1. data:` without a type, ...) ends the definition.
        close()


def add_implicit_tlvs(cat: Catalogue) -> None:
    stream_names = {s.name for s in cat.streams}
    for msg in cat.messages:
        if any(f.type in stream_names for f in msg.fields):
            continue
        implicit = f"{msg.name}_tlvs"
        if implicit in stream_names:
            msg.fields.append(FieldDef("tlvs", implicit, ""))
            cat.notes.append(
                f"{msg.source}: `{msg.name}` gets implicit trailing field tlvs:{implicit}"
            )


def drop_broken(cat: Catalogue) -> None:
    for lst in (cat.messages, cat.subtypes, cat.failures):
        for c in [c for c in lst if c.broken]:
            cat.notes.append(f"{c.source}: skipped `{c.name}` (not expressible: {c.broken})")
            lst.remove(c)
    for s in cat.streams:
        for r in [r for r in s.records if r.broken]:
            cat.notes.append(f"{r.source}: skipped record `{s.name}.{r.name}` ({r.broken})")
            s.records.remove(r)


def dedupe(items: list[Container], what: str, cat: Catalogue) -> list[Container]:
    seen: dict[str, Container] = {}
    out: list[Container] = []
    for c in items:
        prev = seen.get(c.name)
        if prev is None:
            seen[c.name] = c
            out.append(c)
        elif (prev.code, prev.fields) != (c.code, c.fields):
            raise SystemExit(
                f"{c.source}: {what} `{c.name}` redefined differently (first at {prev.source})"
            )
    return out


def extract(bolts_dir: Path, bolts: tuple[str, ...] = DEFAULT_BOLTS) -> Catalogue:
    cat = Catalogue()
    for num in bolts:
        matches = sorted(bolts_dir.glob(f"{num}-*.md"))
        if len(matches) != 1:
            raise SystemExit(f"expected one {num}-*.md in {bolts_dir}, found {len(matches)}")
        parse_file(matches[0], cat)
    drop_broken(cat)
    cat.messages = dedupe(cat.messages, "message", cat)
    cat.subtypes = dedupe(cat.subtypes, "subtype", cat)
    cat.failures = dedupe(cat.failures, "failure", cat)
    names = [s.name for s in cat.streams]
    if len(set(names)) != len(names):
        raise SystemExit(
            f"duplicate tlv_stream names: {sorted(n for n in set(names) if names.count(n) > 1)}"
        )
    add_implicit_tlvs(cat)
    return cat


def to_csv(cat: Catalogue, bolts: tuple[str, ...]) -> str:
    lines = [
        "# Wire catalogue extracted from the BOLT markdown by tools/extract_wire_csv.py",
        f"# BOLTs: {', '.join(bolts)}. Do not edit by hand; regenerate with",
        "#   python tools/extract_wire_csv.py <bolts dir> amiko/wire/bolt_catalogue.csv",
        "# then amiko/wire/messages.py with",
        "#   python tools/gen_wire.py amiko/wire/bolt_catalogue.csv amiko/wire/messages.py",
    ]
    for m in cat.messages:
        lines.append(",".join(["msgtype", m.name, m.code] + ([m.option] if m.option else [])))
        lines += [f"msgdata,{m.name},{f.name},{f.type},{f.count}" for f in m.fields]
    for s in cat.subtypes:
        lines.append(f"subtype,{s.name}")
        lines += [f"subtypedata,{s.name},{f.name},{f.type},{f.count}" for f in s.fields]
    for st in cat.streams:
        for r in st.records:
            lines.append(f"tlvtype,{st.name},{r.name},{r.code}")
            lines += [f"tlvdata,{st.name},{r.name},{f.name},{f.type},{f.count}" for f in r.fields]
    for fl in cat.failures:
        lines.append(f"failtype,{fl.name},{fl.code},{failure_code(fl.code)}")
        lines += [f"faildata,{fl.name},{f.name},{f.type},{f.count}" for f in fl.fields]
    return "\n".join(lines) + "\n"


class CsvError(Exception):
    pass


def read_csv(text: str) -> Catalogue:
    """Parse a catalogue CSV (as written by `to_csv`) back into a `Catalogue`."""
    cat = Catalogue()
    owners: dict[tuple[str, str], Container] = {}
    streams: dict[str, Stream] = {}

    def new(c: Container, target: list[Container]) -> None:
        if (c.kind, c.name) in owners:
            raise CsvError(f"duplicate {c.kind} {c.name}")
        owners[(c.kind, c.name)] = c
        target.append(c)

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, *cols = line.split(",")
        try:
            if kind == "msgtype":
                opt = cols[2] if len(cols) > 2 else ""
                new(Container("msg", cols[0], code=str(int(cols[1])), option=opt), cat.messages)
            elif kind == "subtype":
                new(Container("subtype", cols[0]), cat.subtypes)
            elif kind == "failtype":
                new(Container("fail", cols[0], code=cols[1]), cat.failures)
            elif kind in ("msgdata", "subtypedata", "faildata"):
                owner = owners[
                    ({"msgdata": "msg", "faildata": "fail"}.get(kind, "subtype"), cols[0])
                ]
                owner.fields.append(FieldDef(cols[1], cols[2], cols[3]))
            elif kind == "tlvtype":
                st = streams.get(cols[0])
                if st is None:
                    st = streams[cols[0]] = Stream(cols[0])
                    cat.streams.append(st)
                code = str(int(cols[2]))
                st.records.append(Container("record", cols[1], code=code, stream=cols[0]))
            elif kind == "tlvdata":
                rec = next(r for r in streams[cols[0]].records if r.name == cols[1])
                rec.fields.append(FieldDef(cols[2], cols[3], cols[4]))
            else:
                raise CsvError(f"unknown record kind {kind!r}")
        except (IndexError, KeyError, StopIteration, ValueError) as exc:
            raise CsvError(f"CSV line {lineno}: {line!r}: {exc!r}") from exc
    return cat


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bolts_dir", type=Path, help="directory holding the BOLT markdown files")
    ap.add_argument("out_csv", type=Path, help="CSV file to write")
    ap.add_argument(
        "--bolts",
        default=",".join(DEFAULT_BOLTS),
        help="comma-separated BOLT numbers to read (default: %(default)s)",
    )
    args = ap.parse_args(argv)
    bolts = tuple(b.strip() for b in args.bolts.split(",") if b.strip())
    cat = extract(args.bolts_dir, bolts)
    for note in cat.notes:
        print(f"note: {note}", file=sys.stderr)
    args.out_csv.write_text(to_csv(cat, bolts), encoding="utf-8")
    print(
        f"wrote {args.out_csv}: {len(cat.messages)} messages, {len(cat.subtypes)} subtypes, "
        f"{len(cat.streams)} TLV streams, {len(cat.failures)} failure messages",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
