"""The wire layer: BOLT #1 encodings and the message catalogue generated from the spec.

Modules (import what you need; this package imports nothing eagerly):

- `amiko.wire.messages`: GENERATED frozen dataclasses for every message, subtype, TLV stream
  and multi-field TLV record of BOLTs 1, 2, 4, 7 and 12 (`Init`, `OpenChannel`,
  `WarningMsg`, `InitTlvs`, `Payload`, `BlindedPath`, ...). Messages: `TYPE`, `NAME`,
  `FIELDS`, `CHANNEL_ID_FIELD`, `encode()` (type + payload), `decode_payload(payload)`.
- `amiko.wire.registry`: `decode_message(data)`, `register_message(cls)`, the `Message`
  protocol, `UnknownMessage`, `MessageRegistry`, `channel_id_of(msg)`.
- `amiko.wire.tlv`: generic TLV codec (`split_tlv_stream`, `encode_tlv_records`) and
  custom records (`register_tlv_record`, `custom_record`).
- `amiko.wire.primitives`: fixed ints, truncated ints, BigSize, `Reader`.
- `amiko.wire.types`: `Msat`, `Sat`, `ChannelId`, `ShortChannelId`, `ALL_CHANNELS`,
  short_channel_id helpers.
- `amiko.wire.errors`: `DecodeError` and its subclasses, `EncodeError`.
- `amiko.wire.fields`: the `Field` metadata of `FIELDS`.

Conventions of the generated classes:

- Length/count fields (`len`, `flen`, `num_htlcs`, ...) are not attributes: encode derives
  them, decode checks them. Field names are the spec's (`class` would become `class_`).
- A message's trailing TLV stream is the attribute `tlvs` (default: the empty stream); it
  must parse (BOLT #1: an invalid `extension` MUST close the connection). A message without
  a TLV stream keeps any bytes after its fields raw in `extension` (BOLT #1 lets a node
  ignore them; keeping them lets signed gossip re-encode byte for byte).
- TLV streams have one Optional attribute per record (a record without data is a `bool`
  flag) and `unknown`: the records the spec does not define (odd ones, and custom ones
  registered with `tlv.register_tlv_record`), re-emitted in type order.
- Decoding is strict and canonical (minimal BigSize and truncated ints, exact record
  lengths, `point`s must start with 02/03), so whatever decodes re-encodes identically.
- Values are checked when encoding (`EncodeError`), not when a dataclass is built.

The catalogue is regenerated in two steps:
`python tools/extract_wire_csv.py <bolts dir> amiko/wire/bolt_catalogue.csv`, then
`python tools/gen_wire.py amiko/wire/bolt_catalogue.csv amiko/wire/messages.py`.
"""
