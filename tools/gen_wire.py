#!/usr/bin/env python3
"""Generate `amiko/wire/messages.py` from the wire catalogue CSV.

Usage:
    python tools/gen_wire.py amiko/wire/bolt_catalogue.csv amiko/wire/messages.py

The CSV comes from `tools/extract_wire_csv.py` (see there for the format). The output has
one frozen dataclass per message, subtype, TLV stream and multi-field TLV record, with
straight-line codecs: runs of fixed-size fields are packed and unpacked by one precompiled
`struct.Struct`, variable parts by small helpers of `amiko.wire.helpers`, and decoders fill
the slots directly (a frozen dataclass's `__init__` is slow). `failtype` records (BOLT #4
onion failure messages) are not generated here.

`generate(csv_text)` returns the module text; the test suite calls it to check that the
committed `messages.py` is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The CSV format (writer and reader) lives with the extractor, next to this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from extract_wire_csv import Catalogue, Container, CsvError, Stream, read_csv
from wire_codegen import (
    HEADER,
    TABLES,
    GenError,
    Names,
    ReadEmitter,
    Resolver,
    RField,
    WriteEmitter,
    block,
    construct,
    empty_name,
    field_meta,
    fields_classvar,
    py_name,
    setters_name,
)


def parse_csv(text: str) -> Catalogue:
    """Read the catalogue CSV. It is made from the spec by
    `python tools/extract_wire_csv.py <bolts dir> amiko/wire/bolt_catalogue.csv`
    (run it again when the BOLTs change, then this generator)."""
    try:
        return read_csv(text)
    except CsvError as exc:
        raise GenError(str(exc)) from exc


# --- generator -----------------------------------------------------------------------


class Generator:
    def __init__(self, cat: Catalogue) -> None:
        self.cat = cat
        self.structs: dict[str, str] = {}
        names = Names()
        for m in cat.messages:
            m.cls = names.allocate("msg", m.name)
        for s in cat.subtypes:
            s.cls = names.allocate("subtype", s.name)
        for st in cat.streams:
            st.cls = names.allocate("stream", st.name)
        # Multi-field records: one class per record name when all its definitions agree
        # (e.g. `attribution_data` in two streams), else one per stream.
        by_name: dict[str, list[Container]] = {}
        for st in cat.streams:
            for r in st.records:
                if len(r.fields) > 1:
                    by_name.setdefault(r.name, []).append(r)
        self.record_classes: list[Container] = []
        self.record_streams: dict[str, list[str]] = {}
        for rname, recs in by_name.items():
            shared = all(r.fields == recs[0].fields for r in recs)
            for r in recs:
                if shared and r is not recs[0]:
                    r.cls = recs[0].cls
                    self.record_streams[r.cls].append(r.stream)
                    continue
                r.cls = names.allocate("record", rname if shared else f"{r.stream}_{rname}")
                self.record_classes.append(r)
                self.record_streams[r.cls] = [r.stream]
        self.resolver = Resolver(
            {s.name: s.cls for s in cat.subtypes}, {st.name: st.cls for st in cat.streams}
        )
        self.resolved: dict[str, list[RField]] = {}

    def generate(self, source: str) -> str:
        units: dict[str, Container | Stream] = {}
        containers: list[Container | Stream] = [*self.cat.subtypes, *self.record_classes,
                                                 *self.cat.streams, *self.cat.messages]
        for c in containers:
            units[c.cls] = c
        deps: dict[str, list[str]] = {}
        for cls, unit in units.items():
            if isinstance(unit, Stream):
                deps[cls] = []
                for r in unit.records:
                    rf = self.resolver.resolve(r, f"{unit.name}.{r.name}")
                    self.resolved[f"{cls}.{r.name}"] = rf
                    deps[cls] += [r.cls] if r.cls else [f.ref for f in rf if f.ref]
            else:
                self.resolved[cls] = self.resolver.resolve(unit, unit.name)
                deps[cls] = [f.ref for f in self.resolved[cls] if f.ref]
        # Emit every class after the classes it refers to (FIELDS and defaults need them).
        emitted: list[str] = []
        state: dict[str, int] = {}

        def visit(cls: str) -> None:
            if state.get(cls) == 1:
                raise GenError(f"recursive type involving {cls}")
            if state.get(cls) is None:
                state[cls] = 1
                for dep in deps[cls]:
                    visit(dep)
                state[cls] = 2
                emitted.append(cls)

        for cls in units:
            visit(cls)
        body: list[str] = []
        for cls in emitted:
            unit = units[cls]
            body += self.gen_stream(unit) if isinstance(unit, Stream) else self.gen_struct(unit)
        for name, classes in zip(TABLES, self.tables(), strict=True):
            body += [f"{name}: Final = (", *(f"    {c}," for c in classes), ")", ""]
        header = HEADER.format(source=source).split("\n")
        structs = [f"{n}: Final = Struct({'>' + fmt!r})" for fmt, n in self.structs.items()]
        return "\n".join([*header, *structs, "", "", *body]) + "\n"

    def tables(self) -> list[list[str]]:
        return [
            [m.cls for m in self.cat.messages],
            [s.cls for s in self.cat.subtypes],
            [r.cls for r in self.record_classes],
            [s.cls for s in self.cat.streams],
        ]

    # -- messages, subtypes, records ---------------------------------------------------

    def gen_struct(self, c: Container) -> list[str]:
        kind, ctx = c.kind, c.name
        fields = self.resolved[c.cls]
        values = [f for f in fields if not f.is_len]
        has_tail = bool(fields) and (fields[-1].ekind == "tlv" or fields[-1].ckind == "rest")
        extension = kind == "msg" and not has_tail
        if kind == "msg":
            doc = f"Message `{c.name}` (type {c.code})."
        elif kind == "subtype":
            doc = f"Subtype `{c.name}`."
        else:
            where = ", ".join(f"`{st}`" for st in self.record_streams[c.cls])
            doc = f"TLV record `{c.name}` (type {c.code} of {where})."
        L = ["@dataclass(frozen=True, slots=True)", f"class {c.cls}:", f'    """{doc}"""', ""]
        if kind == "msg":
            names = {f.spec for f in values}
            cid = next((n for n in ("channel_id", "temporary_channel_id") if n in names), None)
            L += block(
                f"""
                TYPE: ClassVar[int] = {c.code}
                NAME: ClassVar[str] = {c.name!r}
                CHANNEL_ID_FIELD: ClassVar[str | None] = {cid!r}
                OPTION: ClassVar[str | None] = {c.option or None!r}""",
                "    ",
            )
        else:
            L.append(f"    NAME: ClassVar[str] = {c.name!r}")
        metas = [field_meta(f) for f in values]
        L += fields_classvar(metas + (["Field('extension', 'extension')"] if extension else []))
        L.append("")
        for f in values:
            default = f" = {empty_name(f.ref)}" if f.ekind == "tlv" and kind == "msg" else ""
            L.append(f"    {f.py}: {f.pytype}{default}")
        L += ['    extension: bytes = b""'] if extension else []
        we = WriteEmitter(self.structs, ctx, {f.py: f"self.{f.py}" for f in values})
        we.body(
            fields, int(c.code) if kind == "msg" else None, "self.extension" if extension else ""
        )
        L += ["", "    def encode(self) -> bytes:", "        try:"]
        L += [f"            {line}" for line in we.lines]
        L += ["        except struct.error as exc:"]
        L += [f"            raise encode_failed({ctx!r}, exc) from None", "", "    @classmethod"]
        args = [f"f_{f.py}" for f in values] + (["f_extension"] if extension else [])
        if kind == "msg":
            L += ["    def decode_payload(cls, payload: bytes) -> Self:", "        d = payload"]
            L.append("        e = len(d)")
            re_ = ReadEmitter(self.structs, ctx, "        ", 0)
            re_.fields(fields)
            L += re_.lines
            if extension:
                pos = re_.pos()
                cond = "p < e" if pos == "p" else f"e > {pos}"
                L.append(f'        f_extension = d[{pos}:] if {cond} else b""')
            L += construct(c.cls, args, "        ")
        else:
            L.append("    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:")
            L.append('        """Read one value from d[p:e]; return (value, end position)."""')
            re_ = ReadEmitter(self.structs, ctx, "        ", None)
            re_.fields(fields)
            L += [*re_.lines, *construct(c.cls, args, "        ", ", p"), ""]
            L += block(
                f'''

                @classmethod
                def decode(cls, data: bytes) -> Self:
                    """Decode exactly `data` (TrailingBytesError if bytes are left)."""
                    obj, p = cls.read_from(data, 0, len(data))
                    if p != len(data):
                        raise trailing({ctx!r}, len(data) - p)
                    return obj''',
                "    ",
            )
        return [*L, "", "", f"{setters_name(c.cls)}: Final = slot_setters({c.cls})", "", ""]

    # -- TLV streams -------------------------------------------------------------------

    def gen_stream(self, st: Stream) -> list[str]:
        recs = sorted(st.records, key=lambda r: int(r.code))
        codes = [int(r.code) for r in recs]
        if len(set(codes)) != len(codes):
            raise GenError(f"{st.name}: duplicate record types")
        L: list[str] = []
        attrs: list[tuple[Container, str, str, str]] = []  # (record, attribute, type, metadata)
        for r in recs:
            rf = self.resolved[f"{st.cls}.{r.name}"]
            attr = py_name(r.name)
            if attr in ("unknown", "encode", "decode"):
                raise GenError(f"{st.name}: record name {r.name!r} is reserved")
            if not rf:  # a record without data is a flag
                meta = f"Field({attr!r}, 'flag', None, None, None, {r.code})"
                attrs.append((r, attr, "bool", meta))
            elif len(rf) == 1:
                attrs.append((r, attr, rf[0].pytype, field_meta(rf[0], attr, int(r.code))))
                L += self.gen_record_funcs(st, r, rf[0])
            else:
                meta = f"Field({attr!r}, {r.name!r}, None, None, {r.cls}, {r.code})"
                attrs.append((r, attr, r.cls, meta))
        known = "{" + ", ".join(str(c) for c in codes) + "}" if codes else ""
        decls = [
            f"{a}: bool = False" if t == "bool" else f"{a}: {t} | None = None"
            for _, a, t, _ in attrs
        ]
        L += block(
            f'''
            @dataclass(frozen=True, slots=True)
            class {st.cls}:
                """TLV stream `{st.name}`; `unknown` keeps the records the spec does not define
                (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

                NAME: ClassVar[str] = {st.name!r}
                KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({known})'''
        )
        L += fields_classvar([a[3] for a in attrs]) + [""] + [f"    {d}" for d in decls]
        L += ["    unknown: tuple[tuple[int, bytes], ...] = ()", ""]
        L += ["    def encode(self) -> bytes:", "        records: list[tuple[int, bytes]] = []"]
        for r, attr, pytype, _ in attrs:
            if pytype == "bool":
                L += [f"        if self.{attr}:", f'            records.append(({r.code}, b""))']
            else:
                value = self.record_writer(st, r, f"self.{attr}")
                L += [f"        if self.{attr} is not None:"]
                L += [f"            records.append(({r.code}, {value}))"]
        L.append(f"        return encode_tlv_records(records, self.unknown, {st.name!r})")
        L += ["", "    @classmethod", "    def decode(cls, data: bytes) -> Self:"]
        L += [f"        {d}" for d in decls] + ["        unknown: list[tuple[int, bytes]] = []"]
        L.append(f"        for t, v in split_tlv_stream(data, {st.name!r}):")
        for i, (r, attr, pytype, _) in enumerate(attrs):
            L.append(f"            {'elif' if i else 'if'} t == {r.code}:")
            if pytype == "bool":
                L += ["                if v:"]
                L += [f"                    raise trailing({st.name + '.' + r.name!r}, len(v))"]
                L += [f"                {attr} = True"]
            else:
                L.append(f"                {attr} = {self.record_reader(st, r, 'v')}")
        unknown = f"unknown.append(check_unknown_record({st.name!r}, t, v))"
        L += (
            ["            else:", f"                {unknown}"]
            if attrs
            else [f"            {unknown}"]
        )
        L += construct(st.cls, [a[1] for a in attrs] + ["tuple(unknown)"], "        ")
        L += ["", "", f"{setters_name(st.cls)}: Final = slot_setters({st.cls})"]
        return [*L, f"{empty_name(st.cls)}: Final = {st.cls}()", "", ""]

    def simple_record(self, st: Stream, r: Container) -> RField | None:
        rf = self.resolved[f"{st.cls}.{r.name}"]
        return rf[0] if len(rf) == 1 else None

    def record_reader(self, st: Stream, r: Container, v: str) -> str:
        f = self.simple_record(st, r)
        if f is None:
            return f"{r.cls}.decode({v})"
        return v if f.ekind == "byte" and f.ckind == "rest" else f"_r_{st.name}_{r.name}({v})"

    def record_writer(self, st: Stream, r: Container, v: str) -> str:
        f = self.simple_record(st, r)
        if f is None:
            return f"{v}.encode()"
        return v if f.ekind == "byte" and f.ckind == "rest" else f"_w_{st.name}_{r.name}({v})"

    def gen_record_funcs(self, st: Stream, r: Container, f: RField) -> list[str]:
        """Reader and writer of a single-field record (raw bytes records need none)."""
        if f.ekind == "byte" and f.ckind == "rest":
            return []
        ctx, name = f"{st.name}.{r.name}", f"{st.name}_{r.name}"
        re_ = ReadEmitter(self.structs, ctx, "    ", 0)
        re_.fields([f])
        L = [f"def _r_{name}(d: bytes) -> {f.pytype}:", "    e = len(d)", *re_.lines]
        if not re_.at_end:
            pos = re_.pos()
            L += [f"    if {pos} != e:", f"        raise trailing({ctx!r}, e - {pos})"]
        L += [f"    value: {f.pytype} = f_{f.py}", "    return value", "", ""]
        we = WriteEmitter(self.structs, ctx, {f.py: "x"})
        we.body([f], None)
        L += [f"def _w_{name}(x: {f.pytype}) -> bytes:", "    try:"]
        L += [f"        {line}" for line in we.lines]
        L += [
            "    except struct.error as exc:",
            f"        raise encode_failed({ctx!r}, exc) from None",
        ]
        return [*L, "", ""]


def generate(csv_text: str, source: str = "bolt_catalogue.csv") -> str:
    """Return the text of messages.py for the given catalogue CSV."""
    return Generator(parse_csv(csv_text)).generate(source)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    csv_path, out_path = Path(argv[0]), Path(argv[1])
    try:
        out_path.write_text(generate(csv_path.read_text("utf-8"), csv_path.name), "utf-8")
    except GenError as exc:
        print(f"gen_wire: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
