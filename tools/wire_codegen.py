"""The pieces `gen_wire.py` builds `amiko/wire/messages.py` from: the generated module's
header, Python names for spec names, field types resolved to codecs, and the emitters of
the read and write code of one container (message, subtype, TLV record).
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

# The CSV format (writer and reader) lives with the extractor, next to this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from extract_wire_csv import Container, FieldDef

# Kept in sync with amiko/wire/fields.py (this tool must run without importing amiko).
INT_TYPES = {
    "byte": (1, "B"), "u8": (1, "B"), "u16": (2, "H"), "u32": (4, "I"), "u64": (8, "Q"),
    "s8": (1, "b"), "s16": (2, "h"), "s32": (4, "i"), "s64": (8, "q"),
    "short_channel_id": (8, "Q"),
}  # fmt: skip
BYTE_TYPES = {"byte", "u8"}
TRUNCATED_TYPES = {"tu16": 2, "tu32": 4, "tu64": 8}
FIXED_BYTES_TYPES = {
    "point": 33, "signature": 64, "bip340sig": 64, "sha256": 32, "chain_hash": 32,
    "channel_id": 32, "preimage": 32,
}  # fmt: skip
REST = "..."
NEWTYPES = ("Msat", "Sat", "ShortChannelId")

HEADER = '''\
"""Lightning wire messages, subtypes and TLV streams: GENERATED from {source}; do not edit.

Regenerate: python tools/gen_wire.py amiko/wire/{source} amiko/wire/messages.py
Conventions (length fields, `extension`, `tlvs`, `unknown`, FIELDS): see amiko/wire/__init__.py.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from struct import Struct
from typing import ClassVar, Final, Self

from amiko.wire.fields import Field
from amiko.wire.helpers import (
    bad_point, check_count, check_len, check_len_each, check_point, check_point_each,
    check_points, check_sciddir_or_pubkey, decode_utf8, encode_failed, encode_utf8,
    join_fixed, join_points, pack_int_array, read_chunks, read_int_array, read_rest_chunks,
    read_rest_ints, read_sciddir_or_pubkey, slot_setters, trailing,
)
from amiko.wire.primitives import decode_bigsize, decode_tu, encode_bigsize, encode_tu, truncated
from amiko.wire.tlv import check_unknown_record, encode_tlv_records, split_tlv_stream
from amiko.wire.types import ChannelId, Msat, Sat, ShortChannelId
'''
TABLES = ("MESSAGE_CLASSES", "SUBTYPE_CLASSES", "RECORD_CLASSES", "TLV_STREAM_CLASSES")
IMPORTED_NAMES = set(re.findall(r"\b[A-Za-z_]\w*\b", HEADER.split('"""')[2])) | set(TABLES)


class GenError(Exception):
    pass


def block(text: str, ind: str = "") -> list[str]:
    """The lines of a dedented template, indented by `ind`."""
    return [ind + line if line else line for line in textwrap.dedent(text).strip("\n").split("\n")]


# --- names ---------------------------------------------------------------------------


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def py_name(name: str) -> str:
    if not name.isidentifier():
        raise GenError(f"field name {name!r} is not an identifier")
    return name + "_" if keyword.iskeyword(name) else name


class Names:
    """Class names: CamelCase of the spec name; a kind suffix on collision with a builtin,
    an imported name or an earlier class (messages are named first)."""

    SUFFIX = {"msg": "Msg", "subtype": "Subtype", "stream": "Tlvs", "record": "Record"}

    def __init__(self) -> None:
        self.taken = set(IMPORTED_NAMES) | set(dir(builtins))

    def allocate(self, kind: str, name: str) -> str:
        base = camel(name)
        candidate, n = base, 1
        while candidate in self.taken:
            candidate = base + self.SUFFIX[kind] + (str(n) if n > 1 else "")
            n += 1
        self.taken.add(candidate)
        return candidate


# --- field resolution ----------------------------------------------------------------


@dataclass
class RField:
    spec: str
    py: str
    elem: str  # element type (spec name; `tlv_` prefix resolved)
    ekind: str  # int fb byte utf8 sub tlv bigsize tu sciddir
    ckind: str  # one fixed counted rest
    n: int = 0  # fixed count
    len_name: str = ""  # counted: spec name of the length field
    len_type: str = ""
    is_len: bool = False
    target: RField | None = None  # for length fields: the field they count
    size: int = 0  # element size (int / fb / tu)
    code: str = ""  # struct code (int)
    ref: str = ""  # class name (sub / tlv)
    pytype: str = ""

    @property
    def runnable(self) -> bool:
        """Fixed-size: can be part of a struct run."""
        kinds = ("int", "fb") if self.ckind == "one" else ("int", "fb", "byte")
        return self.ckind in ("one", "fixed") and self.ekind in kinds

    @property
    def run_size(self) -> int:
        return self.size if self.ckind == "one" else self.size * self.n

    @property
    def run_code(self) -> str:
        if self.ekind == "byte":
            return f"{self.n}s"
        if self.ekind == "int":
            return self.code if self.ckind == "one" else f"{self.n}{self.code}"
        return f"{self.size}s" * (1 if self.ckind == "one" else self.n)

    @property
    def nvalues(self) -> int:
        return 1 if self.ckind == "one" or self.ekind == "byte" else self.n

    @property
    def is_point(self) -> bool:
        return self.elem == "point"


def bytes_size(t: str) -> int | None:
    if t in FIXED_BYTES_TYPES:
        return FIXED_BYTES_TYPES[t]
    base, sep, rest = t.partition("[..")
    if sep and base in FIXED_BYTES_TYPES and rest.endswith("]") and rest[:-1].isdigit():
        return int(rest[:-1])  # `sha256[..4]`: the first 4 bytes of a sha256
    return None


def int_newtype(spec: str, elem: str) -> str:
    """The NewType of an integer field, from its type or its name."""
    if elem == "short_channel_id":
        return "ShortChannelId"
    if spec.endswith("_msat") or spec == "msat":
        return "Msat"
    return "Sat" if spec.endswith("_satoshis") or spec in ("satoshis", "sats") else "int"


class Resolver:
    def __init__(self, sub_cls: dict[str, str], stream_cls: dict[str, str]) -> None:
        self.sub_cls = sub_cls
        self.stream_cls = stream_cls

    def resolve(self, c: Container, where: str) -> list[RField]:
        out: list[RField] = []
        by_spec: dict[str, RField] = {}
        for fd in c.fields:
            f = self._one(fd, f"{where}.{fd.name}")
            if f.ckind == "counted":
                lf = by_spec.get(fd.count)
                if lf is None or lf.is_len:
                    raise GenError(f"{where}.{fd.name}: {fd.count!r} undefined or used twice")
                one_int = lf.ekind == "int" and lf.ckind == "one" and lf.code != "Q"
                if not one_int and lf.ekind != "bigsize":  # u64/short_channel_id: no lengths
                    raise GenError(f"{where}.{fd.name}: {fd.count!r} cannot be a length")
                lf.is_len, lf.target = True, f
                f.len_name, f.len_type = fd.count, lf.elem
            if fd.name in by_spec:
                raise GenError(f"{where}: duplicate field {fd.name}")
            by_spec[fd.name] = f
            out.append(f)
        for i, f in enumerate(out):
            last = i == len(out) - 1
            if f.ekind in ("tu", "tlv") and not last:
                raise GenError(f"{where}.{f.spec}: {f.elem} must be the last field")
            if f.ckind == "rest" and not all(g.runnable and not g.is_len for g in out[i + 1 :]):
                raise GenError(f"{where}.{f.spec}: only fixed-size fields may follow `...`")
            if f.ckind == "rest" and f.ekind == "sub" and not last:
                raise GenError(f"{where}.{f.spec}: a `...` array of subtypes must be last")
        return out

    def _one(self, fd: FieldDef, where: str) -> RField:
        t, count = fd.type, fd.count
        ckind = "counted"
        if count in ("", REST) or count.isdigit():
            ckind = {"": "one", REST: "rest"}.get(count, "fixed")
        f = RField(spec=fd.name, py=py_name(fd.name), elem=t, ekind="", ckind=ckind)
        f.n = int(count) if ckind == "fixed" else 0
        arr = ckind != "one"
        if t in INT_TYPES and arr and t in BYTE_TYPES:
            cid = fd.name == "temporary_channel_id" and f.n == 32
            f.ekind, f.size, f.pytype = "byte", 1, "ChannelId" if cid else "bytes"
        elif t in INT_TYPES:
            f.size, f.code = INT_TYPES[t]
            f.ekind, f.pytype = "int", "tuple[int, ...]" if arr else int_newtype(fd.name, t)
        elif t == "utf8" and arr:
            f.ekind, f.pytype = "utf8", "str"
        elif bytes_size(t) is not None:
            f.ekind, f.size = "fb", bytes_size(t) or 0
            one = "ChannelId" if t == "channel_id" else "bytes"
            f.pytype = "tuple[bytes, ...]" if arr else one
        elif t == "bigsize":
            f.ekind, f.pytype = "bigsize", int_newtype(fd.name, t)
        elif t in TRUNCATED_TYPES:
            f.ekind, f.size, f.pytype = "tu", TRUNCATED_TYPES[t], int_newtype(fd.name, t)
        elif t == "sciddir_or_pubkey":
            f.ekind, f.pytype = "sciddir", "bytes"
        elif t in self.sub_cls:
            f.ekind, f.ref = "sub", self.sub_cls[t]
            f.pytype = f"tuple[{f.ref}, ...]" if arr else f.ref
        elif t in self.stream_cls or (t.startswith("tlv_") and t[4:] in self.stream_cls):
            f.elem = t if t in self.stream_cls else t[4:]  # `tlv_offer` = the stream `offer`
            f.ekind, f.ref = "tlv", self.stream_cls[f.elem]
            f.pytype = f.ref
        else:
            raise GenError(f"{where}: unsupported type {t!r}")
        if arr and f.ekind in ("bigsize", "tu", "sciddir", "tlv"):
            raise GenError(f"{where}: arrays of {t} are not supported")
        return f


# --- code emission -------------------------------------------------------------------


def struct_name(structs: dict[str, str], fmt: str) -> str:
    """The module-level `struct.Struct` for `fmt` (shared by all classes)."""
    return structs.setdefault(fmt, f"_S{len(structs)}")


def split_runs(fields: list[RField]) -> list[list[RField]]:
    """Group consecutive struct-able fields; variable fields are singleton groups."""
    groups: list[list[RField]] = []
    for f in fields:
        if f.runnable and groups and groups[-1][0].runnable:
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


class ReadEmitter:
    """Decoding code for a sequence of fields over `d[p:e]`, into locals `f_*` (values)
    and `n_*` (lengths)."""

    def __init__(self, structs: dict[str, str], ctx: str, ind: str, start: int | None) -> None:
        self.structs, self.ctx, self.ind = structs, ctx, ind
        self.pc = start  # constant position while known, else None (variable `p`)
        self.at_end = False  # True when the last field consumed everything up to `e`
        self.lines: list[str] = []

    def emit(self, text: str) -> None:
        self.lines += block(text, self.ind)

    def pos(self) -> str:
        return "p" if self.pc is None else str(self.pc)

    @staticmethod
    def local(f: RField) -> str:
        return f"n_{f.py}" if f.is_len else f"f_{f.py}"

    def fields(self, fields: list[RField]) -> None:
        groups = split_runs(fields)
        for gi, group in enumerate(groups):
            self.at_end = False
            if group[0].runnable:
                self.run(group)
            else:
                if self.pc is not None:
                    self.emit(f"p = {self.pc}")
                    self.pc = None
                self.var(group[0], sum(f.run_size for g in groups[gi + 1 :] for f in g))

    def run(self, group: list[RField]) -> None:
        fmt = "".join(f.run_code for f in group)
        size = sum(f.run_size for f in group)
        st, pos = struct_name(self.structs, fmt), self.pos()
        cond, have = f"p + {size} > e", "e - p"
        if self.pc is not None:
            cond, have = f"e < {self.pc + size}", "e" if self.pc == 0 else f"e - {self.pc}"
        self.emit(f"if {cond}:\n    raise truncated({self.ctx!r}, {size}, {have})")
        if all(f.nvalues == 1 for f in group):
            targets = ", ".join(self.local(f) for f in group) + ("," if len(group) == 1 else "")
            self.emit(f"{targets} = {st}.unpack_from(d, {pos})")
        else:
            self.emit(f"v = {st}.unpack_from(d, {pos})")
            i = 0
            for f in group:
                part = f"v[{i}]" if f.nvalues == 1 else f"v[{i}:{i + f.nvalues}]"
                self.emit(f"{self.local(f)} = {part}")
                i += f.nvalues
        if self.pc is None:
            self.emit(f"p += {size}")
        else:
            self.pc += size
        for f in (f for f in group if f.is_point):
            ctx = f"{self.ctx}.{f.spec}"
            if f.ckind == "one":
                self.emit(f"if ({self.local(f)}[0] | 1) != 3:\n    raise bad_point({ctx!r})")
            else:
                self.emit(f"check_points({self.local(f)}, {ctx!r})")

    def loop(self, f: RField, head: str, end: str) -> None:
        items, item = f"items_{f.py}", f"item_{f.py}"
        body = f"{item}, p = {f.ref}.read_from(d, p, {end})\n    {items}.append({item})"
        self.emit(
            f"{items}: list[{f.ref}] = []\n{head}\n    {body}\n{self.local(f)} = tuple({items})"
        )

    def var(self, f: RField, tail: int) -> None:
        ctx, out, ref = f"{self.ctx}.{f.spec}", self.local(f), f.ref
        wrap = f.pytype if f.pytype in NEWTYPES else ""
        if f.ckind == "rest":
            end = "r" if tail else "e"
            if tail:
                self.emit(f"r = e - {tail}\nif r < p:\n    raise truncated({ctx!r}, {tail}, e - p)")
            if f.ekind == "sub":
                self.loop(f, f"while p < {end}:", end)
            else:
                self.emit({
                    "byte": f"{out} = d[p:{end}]",
                    "utf8": f"{out} = decode_utf8(d[p:{end}], {ctx!r})",
                    "int": f"{out} = read_rest_ints(d, p, {end}, {f.code!r}, {f.size}, {ctx!r})",
                    "fb": f"{out} = read_rest_chunks(d, p, {end}, {f.size}, {ctx!r})",
                }[f.ekind])  # fmt: skip
            if f.ekind == "fb" and f.is_point:
                self.emit(f"check_points({out}, {ctx!r})")
            if f.ekind != "sub":
                self.emit(f"p = {end}")
            self.at_end = end == "e"
        elif f.ckind in ("counted", "fixed"):
            count = f"n_{py_name(f.len_name)}" if f.ckind == "counted" else str(f.n)
            if f.ekind in ("byte", "utf8"):
                value = "d[p:q]" if f.ekind == "byte" else f"decode_utf8(d[p:q], {ctx!r})"
                self.emit(f"""
                    q = p + {count}
                    if q > e:
                        raise truncated({ctx!r}, {count}, e - p)
                    {out} = {value}
                    p = q""")
            elif f.ekind == "int":
                args = f"{count}, {f.code!r}, {f.size}, {ctx!r}"
                self.emit(f"{out}, p = read_int_array(d, p, e, {args})")
            elif f.ekind == "fb":
                self.emit(f"{out}, p = read_chunks(d, p, e, {count}, {f.size}, {ctx!r})")
                if f.is_point:
                    self.emit(f"check_points({out}, {ctx!r})")
            else:
                self.loop(f, f"for _ in range({count}):", "e")
        elif f.ekind == "bigsize":
            raw = f"{out}_raw" if wrap else out
            self.emit(f"{raw}, p = decode_bigsize(d, p, e, {ctx!r})")
            if wrap:
                self.emit(f"{out} = {wrap}({raw})")
        elif f.ekind == "tu":
            expr = f"decode_tu(d, p, e, {f.size}, {ctx!r})"
            self.emit(f"{out} = {wrap}({expr})" if wrap else f"{out} = {expr}")
            self.emit("p = e")
            self.at_end = True
        elif f.ekind == "sciddir":
            self.emit(f"{out}, p = read_sciddir_or_pubkey(d, p, e, {ctx!r})")
        elif f.ekind == "sub":
            self.emit(f"{out}, p = {ref}.read_from(d, p, e)")
        else:  # tlv stream: the rest
            self.emit(f"{out} = {ref}.decode(d[p:e]) if p < e else {empty_name(ref)}\np = e")
            self.at_end = True


class WriteEmitter:
    """Encoding code for a sequence of fields; `src` maps a field to its value expression."""

    def __init__(self, structs: dict[str, str], ctx: str, src: dict[str, str]) -> None:
        self.structs, self.ctx, self.src = structs, ctx, src
        self.lines: list[str] = []

    def body(self, fields: list[RField], type_prefix: int | None, extra_piece: str = "") -> None:
        prepared: dict[str, str] = {}
        for f in fields:
            prep = "" if f.is_len or f.runnable else self.prepare(f)
            if prep:
                self.lines.append(f"x_{f.py} = {prep}")
                prepared[f.py] = f"x_{f.py}"
        type_bytes = repr((type_prefix or 0).to_bytes(2, "big"))
        pieces: list[str] = []
        for group in split_runs(fields):
            if group[0].runnable:
                fmt = "".join(f.run_code for f in group)
                args = [self.run_arg(f, prepared) for f in group]
                if type_prefix is not None and not pieces:
                    fmt, args = "H" + fmt, [str(type_prefix), *args]
                pieces.append(f"{struct_name(self.structs, fmt)}.pack({', '.join(args)})")
            else:
                if type_prefix is not None and not pieces:
                    pieces.append(type_bytes)
                pieces.append(self.var_piece(group[0], prepared))
        if type_prefix is not None and not pieces:
            pieces.append(type_bytes)
        pieces += [extra_piece] if extra_piece else []
        if len(pieces) <= 1:
            self.lines.append(f"return {pieces[0] if pieces else 'b' + repr('')}")
        else:
            self.lines += ['return b"".join((', *(f"    {p}," for p in pieces), "))"]

    def prepare(self, f: RField) -> str:
        """Bytes of a variable-size array (needed for its length field and its piece)."""
        ctx, v = f"{self.ctx}.{f.spec}", self.src[f.py]
        if f.ckind == "one":
            return ""
        if f.ckind == "fixed" and f.ekind != "byte":
            v = f"check_count({v}, {f.n}, {ctx!r})"
        if f.ekind == "fb":
            return (
                f"join_points({v}, {ctx!r})"
                if f.is_point
                else f"join_fixed({v}, {f.size}, {ctx!r})"
            )
        return {
            "byte": v,
            "utf8": f"encode_utf8({v}, {ctx!r})",
            "int": f"pack_int_array({v}, {f.code!r}, {ctx!r})",
            "sub": f'b"".join([item.encode() for item in {v}])',
        }[f.ekind]

    def count_expr(self, f: RField, prepared: dict[str, str]) -> str:
        t = f.target
        assert t is not None
        return f"len({prepared[t.py] if t.ekind in ('byte', 'utf8') else self.src[t.py]})"

    def run_arg(self, f: RField, prepared: dict[str, str]) -> str:
        if f.is_len:
            return self.count_expr(f, prepared)
        ctx, v = f"{self.ctx}.{f.spec}", self.src[f.py]
        if f.ckind == "one":
            if f.ekind == "int":
                return v
            return (
                f"check_point({v}, {ctx!r})" if f.is_point else f"check_len({v}, {f.size}, {ctx!r})"
            )
        if f.ekind == "byte":
            return f"check_len({v}, {f.n}, {ctx!r})"
        counted = f"check_count({v}, {f.n}, {ctx!r})"
        if f.ekind == "int":
            return f"*{counted}"
        if f.is_point:
            return f"*check_point_each({counted}, {ctx!r})"
        return f"*check_len_each({counted}, {f.size}, {ctx!r})"

    def var_piece(self, f: RField, prepared: dict[str, str]) -> str:
        if f.is_len:  # a bigsize length
            return f"encode_bigsize({self.count_expr(f, prepared)})"
        if f.py in prepared:
            return prepared[f.py]
        v = self.src[f.py]
        return {
            "bigsize": f"encode_bigsize({v})",
            "tu": f"encode_tu({v}, {f.size})",
            "sciddir": f"check_sciddir_or_pubkey({v}, {self.ctx + '.' + f.spec!r})",
            "sub": f"{v}.encode()",
            "tlv": f"{v}.encode()",
        }[f.ekind]


def empty_name(cls: str) -> str:
    return f"_EMPTY_{cls}"


def setters_name(cls: str) -> str:
    return f"_SET_{cls}"


def field_meta(f: RField, name: str | None = None, tlv_type: int | None = None) -> str:
    count = {"one": None, "fixed": f.n, "rest": REST, "counted": f.len_name}[f.ckind]
    parts = [repr(name or f.py), repr(f.elem), repr(count), repr(f.len_type or None)]
    return f"Field({', '.join([*parts, f.ref or 'None', repr(tlv_type)])})"


def fields_classvar(metas: list[str]) -> list[str]:
    if not metas:
        return ["    FIELDS: ClassVar[tuple[Field, ...]] = ()"]
    return [
        "    FIELDS: ClassVar[tuple[Field, ...]] = (",
        *(f"        {m}," for m in metas),
        "    )",
    ]


def construct(cls: str, args: list[str], ind: str, suffix: str = "") -> list[str]:
    """Lines returning a new `cls` from `args`: slots are set directly, unless `cls` is a
    subclass (then its `__init__` runs)."""
    if not args:
        return [f"{ind}return cls(){suffix}"]
    setters = [f"s{i}" for i in range(len(args))]
    arglist, targets = ", ".join(args), ", ".join(setters) + ("," if len(args) == 1 else "")
    lines = block(
        f"""
        if cls is not {cls}:  # a subclass: use its __init__
            return cls({arglist}){suffix}
        o = object.__new__(cls)
        {targets} = {setters_name(cls)}""",
        ind,
    )
    lines += [f"{ind}{s}(o, {a})" for s, a in zip(setters, args, strict=True)]
    return [*lines, f"{ind}return o{suffix}"]


