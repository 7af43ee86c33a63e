"""The committed messages.py is what tools/gen_wire.py makes of the committed CSV.

(The CSV's freshness against the spec needs the BOLT markdown, which tests do not use:
regenerate it with `python tools/extract_wire_csv.py <bolts dir> amiko/wire/bolt_catalogue.csv`.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
WIRE = ROOT / "amiko" / "wire"


def load_tool(name: str) -> ModuleType:
    path = ROOT / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_amiko_tool_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen_wire() -> ModuleType:
    return load_tool("gen_wire")


def test_messages_py_is_current(gen_wire: ModuleType) -> None:
    csv_text = (WIRE / "bolt_catalogue.csv").read_text(encoding="utf-8")
    expected = gen_wire.generate(csv_text, "bolt_catalogue.csv")
    actual = (WIRE / "messages.py").read_text(encoding="utf-8")
    assert actual == expected, (
        "amiko/wire/messages.py is stale: run "
        "python tools/gen_wire.py amiko/wire/bolt_catalogue.csv amiko/wire/messages.py"
    )


def test_catalogue_content(gen_wire: ModuleType) -> None:
    cat = gen_wire.parse_csv((WIRE / "bolt_catalogue.csv").read_text(encoding="utf-8"))
    names = {m.name for m in cat.messages}
    # BOLT #1, #2, #7 and #4's onion_message are peer messages ...
    assert {"init", "error", "warning", "ping", "pong", "open_channel", "update_add_htlc",
            "channel_announcement", "gossip_timestamp_filter", "onion_message"} <= names  # fmt: skip
    # ... BOLT #4 failure messages are not (failtype records, skipped by the generator).
    assert not {"temporary_node_failure", "final_incorrect_cltv_expiry", "mpp_timeout"} & names
    streams = {s.name for s in cat.streams}
    assert {"n1", "n2", "init_tlvs", "payload", "offer", "invoice_request"} <= streams


def test_failure_messages_are_in_the_csv() -> None:
    lines = (WIRE / "bolt_catalogue.csv").read_text(encoding="utf-8").splitlines()
    assert "failtype,incorrect_or_unknown_payment_details,PERM|15,16399" in lines
    assert "failtype,final_incorrect_cltv_expiry,18,18" in lines
    assert "faildata,amount_below_minimum,channel_update,byte,len" in lines


def test_generator_rejects_bad_layouts(gen_wire: ModuleType) -> None:
    bad = [
        "msgtype,m,40000\nmsgdata,m,x,byte,nolen\n",  # undefined length field
        "msgtype,m,40000\nmsgdata,m,x,mystery,\n",  # unknown type
        "msgtype,m,40000\nmsgdata,m,a,byte,...\nmsgdata,m,n,u16,\nmsgdata,m,b,byte,n\n",  # var after `...`
        "tlvtype,s,r,1\ntlvdata,s,r,a,tu64,\ntlvdata,s,r,b,u8,\n",  # tu64 not last
    ]
    for text in bad:
        with pytest.raises(gen_wire.GenError):
            gen_wire.generate(text)


def test_generator_names(gen_wire: ModuleType) -> None:
    names = gen_wire.Names()
    assert names.allocate("msg", "open_channel") == "OpenChannel"
    assert names.allocate("msg", "warning") == "WarningMsg"  # would shadow builtins.Warning
    assert names.allocate("stream", "init_tlvs") == "InitTlvs"
    assert names.allocate("subtype", "open_channel") == "OpenChannelSubtype"
    assert gen_wire.py_name("class") == "class_"


def test_fields_metadata_matches_dataclass_fields() -> None:
    import dataclasses

    from amiko.wire.messages import (
        MESSAGE_CLASSES,
        RECORD_CLASSES,
        SUBTYPE_CLASSES,
        TLV_STREAM_CLASSES,
    )

    for cls in MESSAGE_CLASSES + SUBTYPE_CLASSES + RECORD_CLASSES:
        names = [f.name for f in dataclasses.fields(cls)]
        assert [f.name for f in cls.FIELDS] == names, cls
    for cls in TLV_STREAM_CLASSES:
        names = [f.name for f in dataclasses.fields(cls)]
        assert [f.name for f in cls.FIELDS] + ["unknown"] == names, cls
        assert {f.tlv_type for f in cls.FIELDS} == cls.KNOWN_TYPES, cls


def test_decode_into_subclass_uses_its_init() -> None:
    from dataclasses import dataclass

    from amiko.wire.messages import Ping

    @dataclass(frozen=True, slots=True)
    class MyPing(Ping):
        pass

    got = MyPing.decode_payload(bytes.fromhex("000100020000"))
    assert type(got) is MyPing
    assert got.num_pong_bytes == 1 and got.ignored == b"\x00\x00"


def test_csv_reader_and_writer_agree() -> None:
    extract = load_tool("extract_wire_csv")
    text = (WIRE / "bolt_catalogue.csv").read_text(encoding="utf-8")
    assert extract.to_csv(extract.read_csv(text), extract.DEFAULT_BOLTS) == text
