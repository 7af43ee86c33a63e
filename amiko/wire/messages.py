"""Lightning wire messages, subtypes and TLV streams: GENERATED from bolt_catalogue.csv; do not edit.

Regenerate: python tools/gen_wire.py amiko/wire/bolt_catalogue.csv amiko/wire/messages.py
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

_S0: Final = Struct('>H')
_S1: Final = Struct('>B33s1300s32s')
_S2: Final = Struct('>33sH')
_S3: Final = Struct('>33sB')
_S4: Final = Struct('>B33s')
_S5: Final = Struct('>32s')
_S6: Final = Struct('>II')
_S7: Final = Struct('>IIHQQH')
_S8: Final = Struct('>BH')
_S9: Final = Struct('>33sQQ')
_S10: Final = Struct('>QQ')
_S11: Final = Struct('>20I4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s4s')
_S12: Final = Struct('>32sB')
_S13: Final = Struct('>HI')
_S14: Final = Struct('>I')
_S15: Final = Struct('>B')
_S16: Final = Struct('>Q')
_S17: Final = Struct('>64s')
_S18: Final = Struct('>q')
_S19: Final = Struct('>33s')
_S20: Final = Struct('>HH')
_S21: Final = Struct('>H32sH')
_S22: Final = Struct('>32sH')
_S23: Final = Struct('>HHH')
_S24: Final = Struct('>H32sQH')
_S25: Final = Struct('>32sQH')
_S26: Final = Struct('>H32sQQH')
_S27: Final = Struct('>32sQQH')
_S28: Final = Struct('>H32sQ')
_S29: Final = Struct('>32sQ')
_S30: Final = Struct('>H32s')
_S31: Final = Struct('>H32s32sH')
_S32: Final = Struct('>32s32sH')
_S33: Final = Struct('>H32sII')
_S34: Final = Struct('>32sII')
_S35: Final = Struct('>H32s32sQQQQQQIHH33s33s33s33s33s33sB')
_S36: Final = Struct('>32s32sQQQQQQIHH33s33s33s33s33s33sB')
_S37: Final = Struct('>H32sQQQQIHH33s33s33s33s33s33s')
_S38: Final = Struct('>32sQQQQIHH33s33s33s33s33s33s')
_S39: Final = Struct('>H32s32sH64s')
_S40: Final = Struct('>32s32sH64s')
_S41: Final = Struct('>H32s64s')
_S42: Final = Struct('>32s64s')
_S43: Final = Struct('>H32s33s')
_S44: Final = Struct('>32s33s')
_S45: Final = Struct('>H32s32sIIQQQQHHI33s33s33s33s33s33s33sB')
_S46: Final = Struct('>32s32sIIQQQQHHI33s33s33s33s33s33s33sB')
_S47: Final = Struct('>H32sQQQQIHH33s33s33s33s33s33s33s')
_S48: Final = Struct('>32sQQQQIHH33s33s33s33s33s33s33s')
_S49: Final = Struct('>H32sB')
_S50: Final = Struct('>H32sqII33s')
_S51: Final = Struct('>32sqII33s')
_S52: Final = Struct('>H32sq33s')
_S53: Final = Struct('>32sq33s')
_S54: Final = Struct('>H32s32s')
_S55: Final = Struct('>32s32s')
_S56: Final = Struct('>QI')
_S57: Final = Struct('>H32sQ64s')
_S58: Final = Struct('>32sQ64s')
_S59: Final = Struct('>H32sQQ32sI1366s')
_S60: Final = Struct('>32sQQ32sI1366s')
_S61: Final = Struct('>H32sQ32s')
_S62: Final = Struct('>32sQ32s')
_S63: Final = Struct('>H32sQ32sH')
_S64: Final = Struct('>32sQ32sH')
_S65: Final = Struct('>H32s64sH')
_S66: Final = Struct('>32s64sH')
_S67: Final = Struct('>H32s32s33s')
_S68: Final = Struct('>32s32s33s')
_S69: Final = Struct('>H32sI')
_S70: Final = Struct('>32sI')
_S71: Final = Struct('>H32sQQ32s33s')
_S72: Final = Struct('>32sQQ32s33s')
_S73: Final = Struct('>H33sH')
_S74: Final = Struct('>H32sQ64s64s')
_S75: Final = Struct('>32sQ64s64s')
_S76: Final = Struct('>H64s64s64s64sH')
_S77: Final = Struct('>32sQ33s33s33s33s')
_S78: Final = Struct('>64s64s64s64sH')
_S79: Final = Struct('>H64sH')
_S80: Final = Struct('>I33s3s32sH')
_S81: Final = Struct('>64sH')
_S82: Final = Struct('>H64s32sQIBBHQIIQ')
_S83: Final = Struct('>64s32sQIBBHQIIQ')
_S84: Final = Struct('>H32sIIBH')
_S85: Final = Struct('>32sIIBH')


@dataclass(frozen=True, slots=True)
class Witness:
    """Subtype `witness`."""

    NAME: ClassVar[str] = 'witness'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('witness_data', 'byte', 'len', 'u16', None, None),
    )

    witness_data: bytes

    def encode(self) -> bytes:
        try:
            x_witness_data = self.witness_data
            return b"".join((
                _S0.pack(len(x_witness_data)),
                x_witness_data,
            ))
        except struct.error as exc:
            raise encode_failed('witness', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 2 > e:
            raise truncated('witness', 2, e - p)
        n_len, = _S0.unpack_from(d, p)
        p += 2
        q = p + n_len
        if q > e:
            raise truncated('witness.witness_data', n_len, e - p)
        f_witness_data = d[p:q]
        p = q
        if cls is not Witness:  # a subclass: use its __init__
            return cls(f_witness_data), p
        o = object.__new__(cls)
        s0, = _SET_Witness
        s0(o, f_witness_data)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('witness', len(data) - p)
        return obj


_SET_Witness: Final = slot_setters(Witness)


@dataclass(frozen=True, slots=True)
class OnionPacket:
    """Subtype `onion_packet`."""

    NAME: ClassVar[str] = 'onion_packet'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('version', 'byte', None, None, None, None),
        Field('public_key', 'point', None, None, None, None),
        Field('hop_payloads', 'byte', 1300, None, None, None),
        Field('hmac', 'byte', 32, None, None, None),
    )

    version: int
    public_key: bytes
    hop_payloads: bytes
    hmac: bytes

    def encode(self) -> bytes:
        try:
            return _S1.pack(self.version, check_point(self.public_key, 'onion_packet.public_key'), check_len(self.hop_payloads, 1300, 'onion_packet.hop_payloads'), check_len(self.hmac, 32, 'onion_packet.hmac'))
        except struct.error as exc:
            raise encode_failed('onion_packet', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 1366 > e:
            raise truncated('onion_packet', 1366, e - p)
        f_version, f_public_key, f_hop_payloads, f_hmac = _S1.unpack_from(d, p)
        p += 1366
        if (f_public_key[0] | 1) != 3:
            raise bad_point('onion_packet.public_key')
        if cls is not OnionPacket:  # a subclass: use its __init__
            return cls(f_version, f_public_key, f_hop_payloads, f_hmac), p
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_OnionPacket
        s0(o, f_version)
        s1(o, f_public_key)
        s2(o, f_hop_payloads)
        s3(o, f_hmac)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('onion_packet', len(data) - p)
        return obj


_SET_OnionPacket: Final = slot_setters(OnionPacket)


@dataclass(frozen=True, slots=True)
class BlindedPathHop:
    """Subtype `blinded_path_hop`."""

    NAME: ClassVar[str] = 'blinded_path_hop'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('blinded_node_id', 'point', None, None, None, None),
        Field('encrypted_recipient_data', 'byte', 'enclen', 'u16', None, None),
    )

    blinded_node_id: bytes
    encrypted_recipient_data: bytes

    def encode(self) -> bytes:
        try:
            x_encrypted_recipient_data = self.encrypted_recipient_data
            return b"".join((
                _S2.pack(check_point(self.blinded_node_id, 'blinded_path_hop.blinded_node_id'), len(x_encrypted_recipient_data)),
                x_encrypted_recipient_data,
            ))
        except struct.error as exc:
            raise encode_failed('blinded_path_hop', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 35 > e:
            raise truncated('blinded_path_hop', 35, e - p)
        f_blinded_node_id, n_enclen = _S2.unpack_from(d, p)
        p += 35
        if (f_blinded_node_id[0] | 1) != 3:
            raise bad_point('blinded_path_hop.blinded_node_id')
        q = p + n_enclen
        if q > e:
            raise truncated('blinded_path_hop.encrypted_recipient_data', n_enclen, e - p)
        f_encrypted_recipient_data = d[p:q]
        p = q
        if cls is not BlindedPathHop:  # a subclass: use its __init__
            return cls(f_blinded_node_id, f_encrypted_recipient_data), p
        o = object.__new__(cls)
        s0, s1 = _SET_BlindedPathHop
        s0(o, f_blinded_node_id)
        s1(o, f_encrypted_recipient_data)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('blinded_path_hop', len(data) - p)
        return obj


_SET_BlindedPathHop: Final = slot_setters(BlindedPathHop)


@dataclass(frozen=True, slots=True)
class BlindedPath:
    """Subtype `blinded_path`."""

    NAME: ClassVar[str] = 'blinded_path'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('first_node_id', 'sciddir_or_pubkey', None, None, None, None),
        Field('first_path_key', 'point', None, None, None, None),
        Field('path', 'blinded_path_hop', 'num_hops', 'byte', BlindedPathHop, None),
    )

    first_node_id: bytes
    first_path_key: bytes
    path: tuple[BlindedPathHop, ...]

    def encode(self) -> bytes:
        try:
            x_path = b"".join([item.encode() for item in self.path])
            return b"".join((
                check_sciddir_or_pubkey(self.first_node_id, 'blinded_path.first_node_id'),
                _S3.pack(check_point(self.first_path_key, 'blinded_path.first_path_key'), len(self.path)),
                x_path,
            ))
        except struct.error as exc:
            raise encode_failed('blinded_path', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        f_first_node_id, p = read_sciddir_or_pubkey(d, p, e, 'blinded_path.first_node_id')
        if p + 34 > e:
            raise truncated('blinded_path', 34, e - p)
        f_first_path_key, n_num_hops = _S3.unpack_from(d, p)
        p += 34
        if (f_first_path_key[0] | 1) != 3:
            raise bad_point('blinded_path.first_path_key')
        items_path: list[BlindedPathHop] = []
        for _ in range(n_num_hops):
            item_path, p = BlindedPathHop.read_from(d, p, e)
            items_path.append(item_path)
        f_path = tuple(items_path)
        if cls is not BlindedPath:  # a subclass: use its __init__
            return cls(f_first_node_id, f_first_path_key, f_path), p
        o = object.__new__(cls)
        s0, s1, s2 = _SET_BlindedPath
        s0(o, f_first_node_id)
        s1(o, f_first_path_key)
        s2(o, f_path)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('blinded_path', len(data) - p)
        return obj


_SET_BlindedPath: Final = slot_setters(BlindedPath)


@dataclass(frozen=True, slots=True)
class OnionMessagePacket:
    """Subtype `onion_message_packet`."""

    NAME: ClassVar[str] = 'onion_message_packet'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('version', 'byte', None, None, None, None),
        Field('public_key', 'point', None, None, None, None),
        Field('onionmsg_payloads', 'byte', '...', None, None, None),
        Field('hmac', 'byte', 32, None, None, None),
    )

    version: int
    public_key: bytes
    onionmsg_payloads: bytes
    hmac: bytes

    def encode(self) -> bytes:
        try:
            x_onionmsg_payloads = self.onionmsg_payloads
            return b"".join((
                _S4.pack(self.version, check_point(self.public_key, 'onion_message_packet.public_key')),
                x_onionmsg_payloads,
                _S5.pack(check_len(self.hmac, 32, 'onion_message_packet.hmac')),
            ))
        except struct.error as exc:
            raise encode_failed('onion_message_packet', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 34 > e:
            raise truncated('onion_message_packet', 34, e - p)
        f_version, f_public_key = _S4.unpack_from(d, p)
        p += 34
        if (f_public_key[0] | 1) != 3:
            raise bad_point('onion_message_packet.public_key')
        r = e - 32
        if r < p:
            raise truncated('onion_message_packet.onionmsg_payloads', 32, e - p)
        f_onionmsg_payloads = d[p:r]
        p = r
        if p + 32 > e:
            raise truncated('onion_message_packet', 32, e - p)
        f_hmac, = _S5.unpack_from(d, p)
        p += 32
        if cls is not OnionMessagePacket:  # a subclass: use its __init__
            return cls(f_version, f_public_key, f_onionmsg_payloads, f_hmac), p
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_OnionMessagePacket
        s0(o, f_version)
        s1(o, f_public_key)
        s2(o, f_onionmsg_payloads)
        s3(o, f_hmac)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('onion_message_packet', len(data) - p)
        return obj


_SET_OnionMessagePacket: Final = slot_setters(OnionMessagePacket)


@dataclass(frozen=True, slots=True)
class ChannelUpdateTimestamps:
    """Subtype `channel_update_timestamps`."""

    NAME: ClassVar[str] = 'channel_update_timestamps'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('timestamp_node_id_1', 'u32', None, None, None, None),
        Field('timestamp_node_id_2', 'u32', None, None, None, None),
    )

    timestamp_node_id_1: int
    timestamp_node_id_2: int

    def encode(self) -> bytes:
        try:
            return _S6.pack(self.timestamp_node_id_1, self.timestamp_node_id_2)
        except struct.error as exc:
            raise encode_failed('channel_update_timestamps', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 8 > e:
            raise truncated('channel_update_timestamps', 8, e - p)
        f_timestamp_node_id_1, f_timestamp_node_id_2 = _S6.unpack_from(d, p)
        p += 8
        if cls is not ChannelUpdateTimestamps:  # a subclass: use its __init__
            return cls(f_timestamp_node_id_1, f_timestamp_node_id_2), p
        o = object.__new__(cls)
        s0, s1 = _SET_ChannelUpdateTimestamps
        s0(o, f_timestamp_node_id_1)
        s1(o, f_timestamp_node_id_2)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('channel_update_timestamps', len(data) - p)
        return obj


_SET_ChannelUpdateTimestamps: Final = slot_setters(ChannelUpdateTimestamps)


@dataclass(frozen=True, slots=True)
class ChannelUpdateChecksums:
    """Subtype `channel_update_checksums`."""

    NAME: ClassVar[str] = 'channel_update_checksums'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('checksum_node_id_1', 'u32', None, None, None, None),
        Field('checksum_node_id_2', 'u32', None, None, None, None),
    )

    checksum_node_id_1: int
    checksum_node_id_2: int

    def encode(self) -> bytes:
        try:
            return _S6.pack(self.checksum_node_id_1, self.checksum_node_id_2)
        except struct.error as exc:
            raise encode_failed('channel_update_checksums', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 8 > e:
            raise truncated('channel_update_checksums', 8, e - p)
        f_checksum_node_id_1, f_checksum_node_id_2 = _S6.unpack_from(d, p)
        p += 8
        if cls is not ChannelUpdateChecksums:  # a subclass: use its __init__
            return cls(f_checksum_node_id_1, f_checksum_node_id_2), p
        o = object.__new__(cls)
        s0, s1 = _SET_ChannelUpdateChecksums
        s0(o, f_checksum_node_id_1)
        s1(o, f_checksum_node_id_2)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('channel_update_checksums', len(data) - p)
        return obj


_SET_ChannelUpdateChecksums: Final = slot_setters(ChannelUpdateChecksums)


@dataclass(frozen=True, slots=True)
class BlindedPayinfo:
    """Subtype `blinded_payinfo`."""

    NAME: ClassVar[str] = 'blinded_payinfo'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('fee_base_msat', 'u32', None, None, None, None),
        Field('fee_proportional_millionths', 'u32', None, None, None, None),
        Field('cltv_expiry_delta', 'u16', None, None, None, None),
        Field('htlc_minimum_msat', 'u64', None, None, None, None),
        Field('htlc_maximum_msat', 'u64', None, None, None, None),
        Field('features', 'byte', 'flen', 'u16', None, None),
    )

    fee_base_msat: Msat
    fee_proportional_millionths: int
    cltv_expiry_delta: int
    htlc_minimum_msat: Msat
    htlc_maximum_msat: Msat
    features: bytes

    def encode(self) -> bytes:
        try:
            x_features = self.features
            return b"".join((
                _S7.pack(self.fee_base_msat, self.fee_proportional_millionths, self.cltv_expiry_delta, self.htlc_minimum_msat, self.htlc_maximum_msat, len(x_features)),
                x_features,
            ))
        except struct.error as exc:
            raise encode_failed('blinded_payinfo', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 28 > e:
            raise truncated('blinded_payinfo', 28, e - p)
        f_fee_base_msat, f_fee_proportional_millionths, f_cltv_expiry_delta, f_htlc_minimum_msat, f_htlc_maximum_msat, n_flen = _S7.unpack_from(d, p)
        p += 28
        q = p + n_flen
        if q > e:
            raise truncated('blinded_payinfo.features', n_flen, e - p)
        f_features = d[p:q]
        p = q
        if cls is not BlindedPayinfo:  # a subclass: use its __init__
            return cls(f_fee_base_msat, f_fee_proportional_millionths, f_cltv_expiry_delta, f_htlc_minimum_msat, f_htlc_maximum_msat, f_features), p
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5 = _SET_BlindedPayinfo
        s0(o, f_fee_base_msat)
        s1(o, f_fee_proportional_millionths)
        s2(o, f_cltv_expiry_delta)
        s3(o, f_htlc_minimum_msat)
        s4(o, f_htlc_maximum_msat)
        s5(o, f_features)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('blinded_payinfo', len(data) - p)
        return obj


_SET_BlindedPayinfo: Final = slot_setters(BlindedPayinfo)


@dataclass(frozen=True, slots=True)
class FallbackAddress:
    """Subtype `fallback_address`."""

    NAME: ClassVar[str] = 'fallback_address'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('version', 'byte', None, None, None, None),
        Field('address', 'byte', 'len', 'u16', None, None),
    )

    version: int
    address: bytes

    def encode(self) -> bytes:
        try:
            x_address = self.address
            return b"".join((
                _S8.pack(self.version, len(x_address)),
                x_address,
            ))
        except struct.error as exc:
            raise encode_failed('fallback_address', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 3 > e:
            raise truncated('fallback_address', 3, e - p)
        f_version, n_len = _S8.unpack_from(d, p)
        p += 3
        q = p + n_len
        if q > e:
            raise truncated('fallback_address.address', n_len, e - p)
        f_address = d[p:q]
        p = q
        if cls is not FallbackAddress:  # a subclass: use its __init__
            return cls(f_version, f_address), p
        o = object.__new__(cls)
        s0, s1 = _SET_FallbackAddress
        s0(o, f_version)
        s1(o, f_address)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('fallback_address', len(data) - p)
        return obj


_SET_FallbackAddress: Final = slot_setters(FallbackAddress)


@dataclass(frozen=True, slots=True)
class Tlv3:
    """TLV record `tlv3` (type 3 of `n1`)."""

    NAME: ClassVar[str] = 'tlv3'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('node_id', 'point', None, None, None, None),
        Field('amount_msat_1', 'u64', None, None, None, None),
        Field('amount_msat_2', 'u64', None, None, None, None),
    )

    node_id: bytes
    amount_msat_1: int
    amount_msat_2: int

    def encode(self) -> bytes:
        try:
            return _S9.pack(check_point(self.node_id, 'tlv3.node_id'), self.amount_msat_1, self.amount_msat_2)
        except struct.error as exc:
            raise encode_failed('tlv3', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 49 > e:
            raise truncated('tlv3', 49, e - p)
        f_node_id, f_amount_msat_1, f_amount_msat_2 = _S9.unpack_from(d, p)
        p += 49
        if (f_node_id[0] | 1) != 3:
            raise bad_point('tlv3.node_id')
        if cls is not Tlv3:  # a subclass: use its __init__
            return cls(f_node_id, f_amount_msat_1, f_amount_msat_2), p
        o = object.__new__(cls)
        s0, s1, s2 = _SET_Tlv3
        s0(o, f_node_id)
        s1(o, f_amount_msat_1)
        s2(o, f_amount_msat_2)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('tlv3', len(data) - p)
        return obj


_SET_Tlv3: Final = slot_setters(Tlv3)


@dataclass(frozen=True, slots=True)
class FeeRange:
    """TLV record `fee_range` (type 1 of `closing_signed_tlvs`)."""

    NAME: ClassVar[str] = 'fee_range'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('min_fee_satoshis', 'u64', None, None, None, None),
        Field('max_fee_satoshis', 'u64', None, None, None, None),
    )

    min_fee_satoshis: Sat
    max_fee_satoshis: Sat

    def encode(self) -> bytes:
        try:
            return _S10.pack(self.min_fee_satoshis, self.max_fee_satoshis)
        except struct.error as exc:
            raise encode_failed('fee_range', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 16 > e:
            raise truncated('fee_range', 16, e - p)
        f_min_fee_satoshis, f_max_fee_satoshis = _S10.unpack_from(d, p)
        p += 16
        if cls is not FeeRange:  # a subclass: use its __init__
            return cls(f_min_fee_satoshis, f_max_fee_satoshis), p
        o = object.__new__(cls)
        s0, s1 = _SET_FeeRange
        s0(o, f_min_fee_satoshis)
        s1(o, f_max_fee_satoshis)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('fee_range', len(data) - p)
        return obj


_SET_FeeRange: Final = slot_setters(FeeRange)


@dataclass(frozen=True, slots=True)
class AttributionData:
    """TLV record `attribution_data` (type 1 of `update_fulfill_htlc_tlvs`, `update_fail_htlc_tlvs`)."""

    NAME: ClassVar[str] = 'attribution_data'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('htlc_hold_times', 'u32', 20, None, None, None),
        Field('truncated_hmacs', 'sha256[..4]', 210, None, None, None),
    )

    htlc_hold_times: tuple[int, ...]
    truncated_hmacs: tuple[bytes, ...]

    def encode(self) -> bytes:
        try:
            return _S11.pack(*check_count(self.htlc_hold_times, 20, 'attribution_data.htlc_hold_times'), *check_len_each(check_count(self.truncated_hmacs, 210, 'attribution_data.truncated_hmacs'), 4, 'attribution_data.truncated_hmacs'))
        except struct.error as exc:
            raise encode_failed('attribution_data', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 920 > e:
            raise truncated('attribution_data', 920, e - p)
        v = _S11.unpack_from(d, p)
        f_htlc_hold_times = v[0:20]
        f_truncated_hmacs = v[20:230]
        p += 920
        if cls is not AttributionData:  # a subclass: use its __init__
            return cls(f_htlc_hold_times, f_truncated_hmacs), p
        o = object.__new__(cls)
        s0, s1 = _SET_AttributionData
        s0(o, f_htlc_hold_times)
        s1(o, f_truncated_hmacs)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('attribution_data', len(data) - p)
        return obj


_SET_AttributionData: Final = slot_setters(AttributionData)


@dataclass(frozen=True, slots=True)
class NextFunding:
    """TLV record `next_funding` (type 1 of `channel_reestablish_tlvs`)."""

    NAME: ClassVar[str] = 'next_funding'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('next_funding_txid', 'sha256', None, None, None, None),
        Field('retransmit_flags', 'byte', None, None, None, None),
    )

    next_funding_txid: bytes
    retransmit_flags: int

    def encode(self) -> bytes:
        try:
            return _S12.pack(check_len(self.next_funding_txid, 32, 'next_funding.next_funding_txid'), self.retransmit_flags)
        except struct.error as exc:
            raise encode_failed('next_funding', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 33 > e:
            raise truncated('next_funding', 33, e - p)
        f_next_funding_txid, f_retransmit_flags = _S12.unpack_from(d, p)
        p += 33
        if cls is not NextFunding:  # a subclass: use its __init__
            return cls(f_next_funding_txid, f_retransmit_flags), p
        o = object.__new__(cls)
        s0, s1 = _SET_NextFunding
        s0(o, f_next_funding_txid)
        s1(o, f_retransmit_flags)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('next_funding', len(data) - p)
        return obj


_SET_NextFunding: Final = slot_setters(NextFunding)


@dataclass(frozen=True, slots=True)
class MyCurrentFundingLocked:
    """TLV record `my_current_funding_locked` (type 5 of `channel_reestablish_tlvs`)."""

    NAME: ClassVar[str] = 'my_current_funding_locked'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('my_current_funding_locked_txid', 'sha256', None, None, None, None),
        Field('retransmit_flags', 'byte', None, None, None, None),
    )

    my_current_funding_locked_txid: bytes
    retransmit_flags: int

    def encode(self) -> bytes:
        try:
            return _S12.pack(check_len(self.my_current_funding_locked_txid, 32, 'my_current_funding_locked.my_current_funding_locked_txid'), self.retransmit_flags)
        except struct.error as exc:
            raise encode_failed('my_current_funding_locked', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 33 > e:
            raise truncated('my_current_funding_locked', 33, e - p)
        f_my_current_funding_locked_txid, f_retransmit_flags = _S12.unpack_from(d, p)
        p += 33
        if cls is not MyCurrentFundingLocked:  # a subclass: use its __init__
            return cls(f_my_current_funding_locked_txid, f_retransmit_flags), p
        o = object.__new__(cls)
        s0, s1 = _SET_MyCurrentFundingLocked
        s0(o, f_my_current_funding_locked_txid)
        s1(o, f_retransmit_flags)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('my_current_funding_locked', len(data) - p)
        return obj


_SET_MyCurrentFundingLocked: Final = slot_setters(MyCurrentFundingLocked)


@dataclass(frozen=True, slots=True)
class PaymentData:
    """TLV record `payment_data` (type 8 of `payload`)."""

    NAME: ClassVar[str] = 'payment_data'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('payment_secret', 'byte', 32, None, None, None),
        Field('total_msat', 'tu64', None, None, None, None),
    )

    payment_secret: bytes
    total_msat: Msat

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S5.pack(check_len(self.payment_secret, 32, 'payment_data.payment_secret')),
                encode_tu(self.total_msat, 8),
            ))
        except struct.error as exc:
            raise encode_failed('payment_data', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 32 > e:
            raise truncated('payment_data', 32, e - p)
        f_payment_secret, = _S5.unpack_from(d, p)
        p += 32
        f_total_msat = Msat(decode_tu(d, p, e, 8, 'payment_data.total_msat'))
        p = e
        if cls is not PaymentData:  # a subclass: use its __init__
            return cls(f_payment_secret, f_total_msat), p
        o = object.__new__(cls)
        s0, s1 = _SET_PaymentData
        s0(o, f_payment_secret)
        s1(o, f_total_msat)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('payment_data', len(data) - p)
        return obj


_SET_PaymentData: Final = slot_setters(PaymentData)


@dataclass(frozen=True, slots=True)
class PaymentRelay:
    """TLV record `payment_relay` (type 10 of `encrypted_data_tlv`)."""

    NAME: ClassVar[str] = 'payment_relay'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('cltv_expiry_delta', 'u16', None, None, None, None),
        Field('fee_proportional_millionths', 'u32', None, None, None, None),
        Field('fee_base_msat', 'tu32', None, None, None, None),
    )

    cltv_expiry_delta: int
    fee_proportional_millionths: int
    fee_base_msat: Msat

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S13.pack(self.cltv_expiry_delta, self.fee_proportional_millionths),
                encode_tu(self.fee_base_msat, 4),
            ))
        except struct.error as exc:
            raise encode_failed('payment_relay', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 6 > e:
            raise truncated('payment_relay', 6, e - p)
        f_cltv_expiry_delta, f_fee_proportional_millionths = _S13.unpack_from(d, p)
        p += 6
        f_fee_base_msat = Msat(decode_tu(d, p, e, 4, 'payment_relay.fee_base_msat'))
        p = e
        if cls is not PaymentRelay:  # a subclass: use its __init__
            return cls(f_cltv_expiry_delta, f_fee_proportional_millionths, f_fee_base_msat), p
        o = object.__new__(cls)
        s0, s1, s2 = _SET_PaymentRelay
        s0(o, f_cltv_expiry_delta)
        s1(o, f_fee_proportional_millionths)
        s2(o, f_fee_base_msat)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('payment_relay', len(data) - p)
        return obj


_SET_PaymentRelay: Final = slot_setters(PaymentRelay)


@dataclass(frozen=True, slots=True)
class PaymentConstraints:
    """TLV record `payment_constraints` (type 12 of `encrypted_data_tlv`)."""

    NAME: ClassVar[str] = 'payment_constraints'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('max_cltv_expiry', 'u32', None, None, None, None),
        Field('htlc_minimum_msat', 'tu64', None, None, None, None),
    )

    max_cltv_expiry: int
    htlc_minimum_msat: Msat

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S14.pack(self.max_cltv_expiry),
                encode_tu(self.htlc_minimum_msat, 8),
            ))
        except struct.error as exc:
            raise encode_failed('payment_constraints', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 4 > e:
            raise truncated('payment_constraints', 4, e - p)
        f_max_cltv_expiry, = _S14.unpack_from(d, p)
        p += 4
        f_htlc_minimum_msat = Msat(decode_tu(d, p, e, 8, 'payment_constraints.htlc_minimum_msat'))
        p = e
        if cls is not PaymentConstraints:  # a subclass: use its __init__
            return cls(f_max_cltv_expiry, f_htlc_minimum_msat), p
        o = object.__new__(cls)
        s0, s1 = _SET_PaymentConstraints
        s0(o, f_max_cltv_expiry)
        s1(o, f_htlc_minimum_msat)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('payment_constraints', len(data) - p)
        return obj


_SET_PaymentConstraints: Final = slot_setters(PaymentConstraints)


@dataclass(frozen=True, slots=True)
class QueryFlags:
    """TLV record `query_flags` (type 1 of `query_short_channel_ids_tlvs`)."""

    NAME: ClassVar[str] = 'query_flags'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('encoding_type', 'byte', None, None, None, None),
        Field('encoded_query_flags', 'byte', '...', None, None, None),
    )

    encoding_type: int
    encoded_query_flags: bytes

    def encode(self) -> bytes:
        try:
            x_encoded_query_flags = self.encoded_query_flags
            return b"".join((
                _S15.pack(self.encoding_type),
                x_encoded_query_flags,
            ))
        except struct.error as exc:
            raise encode_failed('query_flags', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 1 > e:
            raise truncated('query_flags', 1, e - p)
        f_encoding_type, = _S15.unpack_from(d, p)
        p += 1
        f_encoded_query_flags = d[p:e]
        p = e
        if cls is not QueryFlags:  # a subclass: use its __init__
            return cls(f_encoding_type, f_encoded_query_flags), p
        o = object.__new__(cls)
        s0, s1 = _SET_QueryFlags
        s0(o, f_encoding_type)
        s1(o, f_encoded_query_flags)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('query_flags', len(data) - p)
        return obj


_SET_QueryFlags: Final = slot_setters(QueryFlags)


@dataclass(frozen=True, slots=True)
class TimestampsTlv:
    """TLV record `timestamps_tlv` (type 1 of `reply_channel_range_tlvs`)."""

    NAME: ClassVar[str] = 'timestamps_tlv'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('encoding_type', 'byte', None, None, None, None),
        Field('encoded_timestamps', 'byte', '...', None, None, None),
    )

    encoding_type: int
    encoded_timestamps: bytes

    def encode(self) -> bytes:
        try:
            x_encoded_timestamps = self.encoded_timestamps
            return b"".join((
                _S15.pack(self.encoding_type),
                x_encoded_timestamps,
            ))
        except struct.error as exc:
            raise encode_failed('timestamps_tlv', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 1 > e:
            raise truncated('timestamps_tlv', 1, e - p)
        f_encoding_type, = _S15.unpack_from(d, p)
        p += 1
        f_encoded_timestamps = d[p:e]
        p = e
        if cls is not TimestampsTlv:  # a subclass: use its __init__
            return cls(f_encoding_type, f_encoded_timestamps), p
        o = object.__new__(cls)
        s0, s1 = _SET_TimestampsTlv
        s0(o, f_encoding_type)
        s1(o, f_encoded_timestamps)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('timestamps_tlv', len(data) - p)
        return obj


_SET_TimestampsTlv: Final = slot_setters(TimestampsTlv)


@dataclass(frozen=True, slots=True)
class InvreqBip353Name:
    """TLV record `invreq_bip_353_name` (type 91 of `invoice_request`, `invoice`)."""

    NAME: ClassVar[str] = 'invreq_bip_353_name'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('name', 'byte', 'name_len', 'u8', None, None),
        Field('domain', 'byte', 'domain_len', 'u8', None, None),
    )

    name: bytes
    domain: bytes

    def encode(self) -> bytes:
        try:
            x_name = self.name
            x_domain = self.domain
            return b"".join((
                _S15.pack(len(x_name)),
                x_name,
                _S15.pack(len(x_domain)),
                x_domain,
            ))
        except struct.error as exc:
            raise encode_failed('invreq_bip_353_name', exc) from None

    @classmethod
    def read_from(cls, d: bytes, p: int, e: int) -> tuple[Self, int]:
        """Read one value from d[p:e]; return (value, end position)."""
        if p + 1 > e:
            raise truncated('invreq_bip_353_name', 1, e - p)
        n_name_len, = _S15.unpack_from(d, p)
        p += 1
        q = p + n_name_len
        if q > e:
            raise truncated('invreq_bip_353_name.name', n_name_len, e - p)
        f_name = d[p:q]
        p = q
        if p + 1 > e:
            raise truncated('invreq_bip_353_name', 1, e - p)
        n_domain_len, = _S15.unpack_from(d, p)
        p += 1
        q = p + n_domain_len
        if q > e:
            raise truncated('invreq_bip_353_name.domain', n_domain_len, e - p)
        f_domain = d[p:q]
        p = q
        if cls is not InvreqBip353Name:  # a subclass: use its __init__
            return cls(f_name, f_domain), p
        o = object.__new__(cls)
        s0, s1 = _SET_InvreqBip353Name
        s0(o, f_name)
        s1(o, f_domain)
        return o, p

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Decode exactly `data` (TrailingBytesError if bytes are left)."""
        obj, p = cls.read_from(data, 0, len(data))
        if p != len(data):
            raise trailing('invreq_bip_353_name', len(data) - p)
        return obj


_SET_InvreqBip353Name: Final = slot_setters(InvreqBip353Name)


def _r_init_tlvs_networks(d: bytes) -> tuple[bytes, ...]:
    e = len(d)
    p = 0
    f_chains = read_rest_chunks(d, p, e, 32, 'init_tlvs.networks.chains')
    p = e
    value: tuple[bytes, ...] = f_chains
    return value


def _w_init_tlvs_networks(x: tuple[bytes, ...]) -> bytes:
    try:
        x_chains = join_fixed(x, 32, 'init_tlvs.networks.chains')
        return x_chains
    except struct.error as exc:
        raise encode_failed('init_tlvs.networks', exc) from None


@dataclass(frozen=True, slots=True)
class InitTlvs:
    """TLV stream `init_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'init_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1, 3})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('networks', 'chain_hash', '...', None, None, 1),
        Field('remote_addr', 'byte', '...', None, None, 3),
    )

    networks: tuple[bytes, ...] | None = None
    remote_addr: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.networks is not None:
            records.append((1, _w_init_tlvs_networks(self.networks)))
        if self.remote_addr is not None:
            records.append((3, self.remote_addr))
        return encode_tlv_records(records, self.unknown, 'init_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        networks: tuple[bytes, ...] | None = None
        remote_addr: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'init_tlvs'):
            if t == 1:
                networks = _r_init_tlvs_networks(v)
            elif t == 3:
                remote_addr = v
            else:
                unknown.append(check_unknown_record('init_tlvs', t, v))
        if cls is not InitTlvs:  # a subclass: use its __init__
            return cls(networks, remote_addr, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2 = _SET_InitTlvs
        s0(o, networks)
        s1(o, remote_addr)
        s2(o, tuple(unknown))
        return o


_SET_InitTlvs: Final = slot_setters(InitTlvs)
_EMPTY_InitTlvs: Final = InitTlvs()


def _r_n1_tlv1(d: bytes) -> Msat:
    e = len(d)
    p = 0
    f_amount_msat = Msat(decode_tu(d, p, e, 8, 'n1.tlv1.amount_msat'))
    p = e
    value: Msat = f_amount_msat
    return value


def _w_n1_tlv1(x: Msat) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('n1.tlv1', exc) from None


def _r_n1_tlv2(d: bytes) -> ShortChannelId:
    e = len(d)
    if e < 8:
        raise truncated('n1.tlv2', 8, e)
    f_scid, = _S16.unpack_from(d, 0)
    if 8 != e:
        raise trailing('n1.tlv2', e - 8)
    value: ShortChannelId = f_scid
    return value


def _w_n1_tlv2(x: ShortChannelId) -> bytes:
    try:
        return _S16.pack(x)
    except struct.error as exc:
        raise encode_failed('n1.tlv2', exc) from None


def _r_n1_tlv4(d: bytes) -> int:
    e = len(d)
    if e < 2:
        raise truncated('n1.tlv4', 2, e)
    f_cltv_delta, = _S0.unpack_from(d, 0)
    if 2 != e:
        raise trailing('n1.tlv4', e - 2)
    value: int = f_cltv_delta
    return value


def _w_n1_tlv4(x: int) -> bytes:
    try:
        return _S0.pack(x)
    except struct.error as exc:
        raise encode_failed('n1.tlv4', exc) from None


@dataclass(frozen=True, slots=True)
class N1:
    """TLV stream `n1`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'n1'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1, 2, 3, 254})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('tlv1', 'tu64', None, None, None, 1),
        Field('tlv2', 'short_channel_id', None, None, None, 2),
        Field('tlv3', 'tlv3', None, None, Tlv3, 3),
        Field('tlv4', 'u16', None, None, None, 254),
    )

    tlv1: Msat | None = None
    tlv2: ShortChannelId | None = None
    tlv3: Tlv3 | None = None
    tlv4: int | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.tlv1 is not None:
            records.append((1, _w_n1_tlv1(self.tlv1)))
        if self.tlv2 is not None:
            records.append((2, _w_n1_tlv2(self.tlv2)))
        if self.tlv3 is not None:
            records.append((3, self.tlv3.encode()))
        if self.tlv4 is not None:
            records.append((254, _w_n1_tlv4(self.tlv4)))
        return encode_tlv_records(records, self.unknown, 'n1')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        tlv1: Msat | None = None
        tlv2: ShortChannelId | None = None
        tlv3: Tlv3 | None = None
        tlv4: int | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'n1'):
            if t == 1:
                tlv1 = _r_n1_tlv1(v)
            elif t == 2:
                tlv2 = _r_n1_tlv2(v)
            elif t == 3:
                tlv3 = Tlv3.decode(v)
            elif t == 254:
                tlv4 = _r_n1_tlv4(v)
            else:
                unknown.append(check_unknown_record('n1', t, v))
        if cls is not N1:  # a subclass: use its __init__
            return cls(tlv1, tlv2, tlv3, tlv4, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3, s4 = _SET_N1
        s0(o, tlv1)
        s1(o, tlv2)
        s2(o, tlv3)
        s3(o, tlv4)
        s4(o, tuple(unknown))
        return o


_SET_N1: Final = slot_setters(N1)
_EMPTY_N1: Final = N1()


def _r_n2_tlv1(d: bytes) -> Msat:
    e = len(d)
    p = 0
    f_amount_msat = Msat(decode_tu(d, p, e, 8, 'n2.tlv1.amount_msat'))
    p = e
    value: Msat = f_amount_msat
    return value


def _w_n2_tlv1(x: Msat) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('n2.tlv1', exc) from None


def _r_n2_tlv2(d: bytes) -> int:
    e = len(d)
    p = 0
    f_cltv_expiry = decode_tu(d, p, e, 4, 'n2.tlv2.cltv_expiry')
    p = e
    value: int = f_cltv_expiry
    return value


def _w_n2_tlv2(x: int) -> bytes:
    try:
        return encode_tu(x, 4)
    except struct.error as exc:
        raise encode_failed('n2.tlv2', exc) from None


@dataclass(frozen=True, slots=True)
class N2:
    """TLV stream `n2`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'n2'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0, 11})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('tlv1', 'tu64', None, None, None, 0),
        Field('tlv2', 'tu32', None, None, None, 11),
    )

    tlv1: Msat | None = None
    tlv2: int | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.tlv1 is not None:
            records.append((0, _w_n2_tlv1(self.tlv1)))
        if self.tlv2 is not None:
            records.append((11, _w_n2_tlv2(self.tlv2)))
        return encode_tlv_records(records, self.unknown, 'n2')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        tlv1: Msat | None = None
        tlv2: int | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'n2'):
            if t == 0:
                tlv1 = _r_n2_tlv1(v)
            elif t == 11:
                tlv2 = _r_n2_tlv2(v)
            else:
                unknown.append(check_unknown_record('n2', t, v))
        if cls is not N2:  # a subclass: use its __init__
            return cls(tlv1, tlv2, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2 = _SET_N2
        s0(o, tlv1)
        s1(o, tlv2)
        s2(o, tuple(unknown))
        return o


_SET_N2: Final = slot_setters(N2)
_EMPTY_N2: Final = N2()


def _r_tx_add_input_tlvs_shared_input_txid(d: bytes) -> bytes:
    e = len(d)
    if e < 32:
        raise truncated('tx_add_input_tlvs.shared_input_txid', 32, e)
    f_funding_txid, = _S5.unpack_from(d, 0)
    if 32 != e:
        raise trailing('tx_add_input_tlvs.shared_input_txid', e - 32)
    value: bytes = f_funding_txid
    return value


def _w_tx_add_input_tlvs_shared_input_txid(x: bytes) -> bytes:
    try:
        return _S5.pack(check_len(x, 32, 'tx_add_input_tlvs.shared_input_txid.funding_txid'))
    except struct.error as exc:
        raise encode_failed('tx_add_input_tlvs.shared_input_txid', exc) from None


@dataclass(frozen=True, slots=True)
class TxAddInputTlvs:
    """TLV stream `tx_add_input_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'tx_add_input_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('shared_input_txid', 'sha256', None, None, None, 0),
    )

    shared_input_txid: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.shared_input_txid is not None:
            records.append((0, _w_tx_add_input_tlvs_shared_input_txid(self.shared_input_txid)))
        return encode_tlv_records(records, self.unknown, 'tx_add_input_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        shared_input_txid: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'tx_add_input_tlvs'):
            if t == 0:
                shared_input_txid = _r_tx_add_input_tlvs_shared_input_txid(v)
            else:
                unknown.append(check_unknown_record('tx_add_input_tlvs', t, v))
        if cls is not TxAddInputTlvs:  # a subclass: use its __init__
            return cls(shared_input_txid, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_TxAddInputTlvs
        s0(o, shared_input_txid)
        s1(o, tuple(unknown))
        return o


_SET_TxAddInputTlvs: Final = slot_setters(TxAddInputTlvs)
_EMPTY_TxAddInputTlvs: Final = TxAddInputTlvs()


def _r_tx_signatures_tlvs_shared_input_signature(d: bytes) -> bytes:
    e = len(d)
    if e < 64:
        raise truncated('tx_signatures_tlvs.shared_input_signature', 64, e)
    f_signature, = _S17.unpack_from(d, 0)
    if 64 != e:
        raise trailing('tx_signatures_tlvs.shared_input_signature', e - 64)
    value: bytes = f_signature
    return value


def _w_tx_signatures_tlvs_shared_input_signature(x: bytes) -> bytes:
    try:
        return _S17.pack(check_len(x, 64, 'tx_signatures_tlvs.shared_input_signature.signature'))
    except struct.error as exc:
        raise encode_failed('tx_signatures_tlvs.shared_input_signature', exc) from None


@dataclass(frozen=True, slots=True)
class TxSignaturesTlvs:
    """TLV stream `tx_signatures_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'tx_signatures_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('shared_input_signature', 'signature', None, None, None, 0),
    )

    shared_input_signature: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.shared_input_signature is not None:
            records.append((0, _w_tx_signatures_tlvs_shared_input_signature(self.shared_input_signature)))
        return encode_tlv_records(records, self.unknown, 'tx_signatures_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        shared_input_signature: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'tx_signatures_tlvs'):
            if t == 0:
                shared_input_signature = _r_tx_signatures_tlvs_shared_input_signature(v)
            else:
                unknown.append(check_unknown_record('tx_signatures_tlvs', t, v))
        if cls is not TxSignaturesTlvs:  # a subclass: use its __init__
            return cls(shared_input_signature, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_TxSignaturesTlvs
        s0(o, shared_input_signature)
        s1(o, tuple(unknown))
        return o


_SET_TxSignaturesTlvs: Final = slot_setters(TxSignaturesTlvs)
_EMPTY_TxSignaturesTlvs: Final = TxSignaturesTlvs()


def _r_tx_init_rbf_tlvs_funding_output_contribution(d: bytes) -> Sat:
    e = len(d)
    if e < 8:
        raise truncated('tx_init_rbf_tlvs.funding_output_contribution', 8, e)
    f_satoshis, = _S18.unpack_from(d, 0)
    if 8 != e:
        raise trailing('tx_init_rbf_tlvs.funding_output_contribution', e - 8)
    value: Sat = f_satoshis
    return value


def _w_tx_init_rbf_tlvs_funding_output_contribution(x: Sat) -> bytes:
    try:
        return _S18.pack(x)
    except struct.error as exc:
        raise encode_failed('tx_init_rbf_tlvs.funding_output_contribution', exc) from None


@dataclass(frozen=True, slots=True)
class TxInitRbfTlvs:
    """TLV stream `tx_init_rbf_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'tx_init_rbf_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0, 2})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('funding_output_contribution', 's64', None, None, None, 0),
        Field('require_confirmed_inputs', 'flag', None, None, None, 2),
    )

    funding_output_contribution: Sat | None = None
    require_confirmed_inputs: bool = False
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.funding_output_contribution is not None:
            records.append((0, _w_tx_init_rbf_tlvs_funding_output_contribution(self.funding_output_contribution)))
        if self.require_confirmed_inputs:
            records.append((2, b""))
        return encode_tlv_records(records, self.unknown, 'tx_init_rbf_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        funding_output_contribution: Sat | None = None
        require_confirmed_inputs: bool = False
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'tx_init_rbf_tlvs'):
            if t == 0:
                funding_output_contribution = _r_tx_init_rbf_tlvs_funding_output_contribution(v)
            elif t == 2:
                if v:
                    raise trailing('tx_init_rbf_tlvs.require_confirmed_inputs', len(v))
                require_confirmed_inputs = True
            else:
                unknown.append(check_unknown_record('tx_init_rbf_tlvs', t, v))
        if cls is not TxInitRbfTlvs:  # a subclass: use its __init__
            return cls(funding_output_contribution, require_confirmed_inputs, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2 = _SET_TxInitRbfTlvs
        s0(o, funding_output_contribution)
        s1(o, require_confirmed_inputs)
        s2(o, tuple(unknown))
        return o


_SET_TxInitRbfTlvs: Final = slot_setters(TxInitRbfTlvs)
_EMPTY_TxInitRbfTlvs: Final = TxInitRbfTlvs()


def _r_tx_ack_rbf_tlvs_funding_output_contribution(d: bytes) -> Sat:
    e = len(d)
    if e < 8:
        raise truncated('tx_ack_rbf_tlvs.funding_output_contribution', 8, e)
    f_satoshis, = _S18.unpack_from(d, 0)
    if 8 != e:
        raise trailing('tx_ack_rbf_tlvs.funding_output_contribution', e - 8)
    value: Sat = f_satoshis
    return value


def _w_tx_ack_rbf_tlvs_funding_output_contribution(x: Sat) -> bytes:
    try:
        return _S18.pack(x)
    except struct.error as exc:
        raise encode_failed('tx_ack_rbf_tlvs.funding_output_contribution', exc) from None


@dataclass(frozen=True, slots=True)
class TxAckRbfTlvs:
    """TLV stream `tx_ack_rbf_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'tx_ack_rbf_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0, 2})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('funding_output_contribution', 's64', None, None, None, 0),
        Field('require_confirmed_inputs', 'flag', None, None, None, 2),
    )

    funding_output_contribution: Sat | None = None
    require_confirmed_inputs: bool = False
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.funding_output_contribution is not None:
            records.append((0, _w_tx_ack_rbf_tlvs_funding_output_contribution(self.funding_output_contribution)))
        if self.require_confirmed_inputs:
            records.append((2, b""))
        return encode_tlv_records(records, self.unknown, 'tx_ack_rbf_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        funding_output_contribution: Sat | None = None
        require_confirmed_inputs: bool = False
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'tx_ack_rbf_tlvs'):
            if t == 0:
                funding_output_contribution = _r_tx_ack_rbf_tlvs_funding_output_contribution(v)
            elif t == 2:
                if v:
                    raise trailing('tx_ack_rbf_tlvs.require_confirmed_inputs', len(v))
                require_confirmed_inputs = True
            else:
                unknown.append(check_unknown_record('tx_ack_rbf_tlvs', t, v))
        if cls is not TxAckRbfTlvs:  # a subclass: use its __init__
            return cls(funding_output_contribution, require_confirmed_inputs, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2 = _SET_TxAckRbfTlvs
        s0(o, funding_output_contribution)
        s1(o, require_confirmed_inputs)
        s2(o, tuple(unknown))
        return o


_SET_TxAckRbfTlvs: Final = slot_setters(TxAckRbfTlvs)
_EMPTY_TxAckRbfTlvs: Final = TxAckRbfTlvs()


@dataclass(frozen=True, slots=True)
class OpenChannelTlvs:
    """TLV stream `open_channel_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'open_channel_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0, 1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('upfront_shutdown_script', 'byte', '...', None, None, 0),
        Field('channel_type', 'byte', '...', None, None, 1),
    )

    upfront_shutdown_script: bytes | None = None
    channel_type: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.upfront_shutdown_script is not None:
            records.append((0, self.upfront_shutdown_script))
        if self.channel_type is not None:
            records.append((1, self.channel_type))
        return encode_tlv_records(records, self.unknown, 'open_channel_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        upfront_shutdown_script: bytes | None = None
        channel_type: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'open_channel_tlvs'):
            if t == 0:
                upfront_shutdown_script = v
            elif t == 1:
                channel_type = v
            else:
                unknown.append(check_unknown_record('open_channel_tlvs', t, v))
        if cls is not OpenChannelTlvs:  # a subclass: use its __init__
            return cls(upfront_shutdown_script, channel_type, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2 = _SET_OpenChannelTlvs
        s0(o, upfront_shutdown_script)
        s1(o, channel_type)
        s2(o, tuple(unknown))
        return o


_SET_OpenChannelTlvs: Final = slot_setters(OpenChannelTlvs)
_EMPTY_OpenChannelTlvs: Final = OpenChannelTlvs()


@dataclass(frozen=True, slots=True)
class AcceptChannelTlvs:
    """TLV stream `accept_channel_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'accept_channel_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0, 1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('upfront_shutdown_script', 'byte', '...', None, None, 0),
        Field('channel_type', 'byte', '...', None, None, 1),
    )

    upfront_shutdown_script: bytes | None = None
    channel_type: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.upfront_shutdown_script is not None:
            records.append((0, self.upfront_shutdown_script))
        if self.channel_type is not None:
            records.append((1, self.channel_type))
        return encode_tlv_records(records, self.unknown, 'accept_channel_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        upfront_shutdown_script: bytes | None = None
        channel_type: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'accept_channel_tlvs'):
            if t == 0:
                upfront_shutdown_script = v
            elif t == 1:
                channel_type = v
            else:
                unknown.append(check_unknown_record('accept_channel_tlvs', t, v))
        if cls is not AcceptChannelTlvs:  # a subclass: use its __init__
            return cls(upfront_shutdown_script, channel_type, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2 = _SET_AcceptChannelTlvs
        s0(o, upfront_shutdown_script)
        s1(o, channel_type)
        s2(o, tuple(unknown))
        return o


_SET_AcceptChannelTlvs: Final = slot_setters(AcceptChannelTlvs)
_EMPTY_AcceptChannelTlvs: Final = AcceptChannelTlvs()


def _r_channel_ready_tlvs_short_channel_id(d: bytes) -> ShortChannelId:
    e = len(d)
    if e < 8:
        raise truncated('channel_ready_tlvs.short_channel_id', 8, e)
    f_alias, = _S16.unpack_from(d, 0)
    if 8 != e:
        raise trailing('channel_ready_tlvs.short_channel_id', e - 8)
    value: ShortChannelId = f_alias
    return value


def _w_channel_ready_tlvs_short_channel_id(x: ShortChannelId) -> bytes:
    try:
        return _S16.pack(x)
    except struct.error as exc:
        raise encode_failed('channel_ready_tlvs.short_channel_id', exc) from None


@dataclass(frozen=True, slots=True)
class ChannelReadyTlvs:
    """TLV stream `channel_ready_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'channel_ready_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('short_channel_id', 'short_channel_id', None, None, None, 1),
    )

    short_channel_id: ShortChannelId | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.short_channel_id is not None:
            records.append((1, _w_channel_ready_tlvs_short_channel_id(self.short_channel_id)))
        return encode_tlv_records(records, self.unknown, 'channel_ready_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        short_channel_id: ShortChannelId | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'channel_ready_tlvs'):
            if t == 1:
                short_channel_id = _r_channel_ready_tlvs_short_channel_id(v)
            else:
                unknown.append(check_unknown_record('channel_ready_tlvs', t, v))
        if cls is not ChannelReadyTlvs:  # a subclass: use its __init__
            return cls(short_channel_id, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_ChannelReadyTlvs
        s0(o, short_channel_id)
        s1(o, tuple(unknown))
        return o


_SET_ChannelReadyTlvs: Final = slot_setters(ChannelReadyTlvs)
_EMPTY_ChannelReadyTlvs: Final = ChannelReadyTlvs()


@dataclass(frozen=True, slots=True)
class OpeningTlvs:
    """TLV stream `opening_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'opening_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0, 1, 2})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('upfront_shutdown_script', 'byte', '...', None, None, 0),
        Field('channel_type', 'byte', '...', None, None, 1),
        Field('require_confirmed_inputs', 'flag', None, None, None, 2),
    )

    upfront_shutdown_script: bytes | None = None
    channel_type: bytes | None = None
    require_confirmed_inputs: bool = False
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.upfront_shutdown_script is not None:
            records.append((0, self.upfront_shutdown_script))
        if self.channel_type is not None:
            records.append((1, self.channel_type))
        if self.require_confirmed_inputs:
            records.append((2, b""))
        return encode_tlv_records(records, self.unknown, 'opening_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        upfront_shutdown_script: bytes | None = None
        channel_type: bytes | None = None
        require_confirmed_inputs: bool = False
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'opening_tlvs'):
            if t == 0:
                upfront_shutdown_script = v
            elif t == 1:
                channel_type = v
            elif t == 2:
                if v:
                    raise trailing('opening_tlvs.require_confirmed_inputs', len(v))
                require_confirmed_inputs = True
            else:
                unknown.append(check_unknown_record('opening_tlvs', t, v))
        if cls is not OpeningTlvs:  # a subclass: use its __init__
            return cls(upfront_shutdown_script, channel_type, require_confirmed_inputs, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_OpeningTlvs
        s0(o, upfront_shutdown_script)
        s1(o, channel_type)
        s2(o, require_confirmed_inputs)
        s3(o, tuple(unknown))
        return o


_SET_OpeningTlvs: Final = slot_setters(OpeningTlvs)
_EMPTY_OpeningTlvs: Final = OpeningTlvs()


@dataclass(frozen=True, slots=True)
class AcceptTlvs:
    """TLV stream `accept_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'accept_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0, 1, 2})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('upfront_shutdown_script', 'byte', '...', None, None, 0),
        Field('channel_type', 'byte', '...', None, None, 1),
        Field('require_confirmed_inputs', 'flag', None, None, None, 2),
    )

    upfront_shutdown_script: bytes | None = None
    channel_type: bytes | None = None
    require_confirmed_inputs: bool = False
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.upfront_shutdown_script is not None:
            records.append((0, self.upfront_shutdown_script))
        if self.channel_type is not None:
            records.append((1, self.channel_type))
        if self.require_confirmed_inputs:
            records.append((2, b""))
        return encode_tlv_records(records, self.unknown, 'accept_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        upfront_shutdown_script: bytes | None = None
        channel_type: bytes | None = None
        require_confirmed_inputs: bool = False
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'accept_tlvs'):
            if t == 0:
                upfront_shutdown_script = v
            elif t == 1:
                channel_type = v
            elif t == 2:
                if v:
                    raise trailing('accept_tlvs.require_confirmed_inputs', len(v))
                require_confirmed_inputs = True
            else:
                unknown.append(check_unknown_record('accept_tlvs', t, v))
        if cls is not AcceptTlvs:  # a subclass: use its __init__
            return cls(upfront_shutdown_script, channel_type, require_confirmed_inputs, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_AcceptTlvs
        s0(o, upfront_shutdown_script)
        s1(o, channel_type)
        s2(o, require_confirmed_inputs)
        s3(o, tuple(unknown))
        return o


_SET_AcceptTlvs: Final = slot_setters(AcceptTlvs)
_EMPTY_AcceptTlvs: Final = AcceptTlvs()


@dataclass(frozen=True, slots=True)
class SpliceInitTlvs:
    """TLV stream `splice_init_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'splice_init_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({2})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('require_confirmed_inputs', 'flag', None, None, None, 2),
    )

    require_confirmed_inputs: bool = False
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.require_confirmed_inputs:
            records.append((2, b""))
        return encode_tlv_records(records, self.unknown, 'splice_init_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        require_confirmed_inputs: bool = False
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'splice_init_tlvs'):
            if t == 2:
                if v:
                    raise trailing('splice_init_tlvs.require_confirmed_inputs', len(v))
                require_confirmed_inputs = True
            else:
                unknown.append(check_unknown_record('splice_init_tlvs', t, v))
        if cls is not SpliceInitTlvs:  # a subclass: use its __init__
            return cls(require_confirmed_inputs, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_SpliceInitTlvs
        s0(o, require_confirmed_inputs)
        s1(o, tuple(unknown))
        return o


_SET_SpliceInitTlvs: Final = slot_setters(SpliceInitTlvs)
_EMPTY_SpliceInitTlvs: Final = SpliceInitTlvs()


@dataclass(frozen=True, slots=True)
class SpliceAckTlvs:
    """TLV stream `splice_ack_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'splice_ack_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({2})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('require_confirmed_inputs', 'flag', None, None, None, 2),
    )

    require_confirmed_inputs: bool = False
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.require_confirmed_inputs:
            records.append((2, b""))
        return encode_tlv_records(records, self.unknown, 'splice_ack_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        require_confirmed_inputs: bool = False
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'splice_ack_tlvs'):
            if t == 2:
                if v:
                    raise trailing('splice_ack_tlvs.require_confirmed_inputs', len(v))
                require_confirmed_inputs = True
            else:
                unknown.append(check_unknown_record('splice_ack_tlvs', t, v))
        if cls is not SpliceAckTlvs:  # a subclass: use its __init__
            return cls(require_confirmed_inputs, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_SpliceAckTlvs
        s0(o, require_confirmed_inputs)
        s1(o, tuple(unknown))
        return o


_SET_SpliceAckTlvs: Final = slot_setters(SpliceAckTlvs)
_EMPTY_SpliceAckTlvs: Final = SpliceAckTlvs()


def _r_closing_tlvs_closer_output_only(d: bytes) -> bytes:
    e = len(d)
    if e < 64:
        raise truncated('closing_tlvs.closer_output_only', 64, e)
    f_sig, = _S17.unpack_from(d, 0)
    if 64 != e:
        raise trailing('closing_tlvs.closer_output_only', e - 64)
    value: bytes = f_sig
    return value


def _w_closing_tlvs_closer_output_only(x: bytes) -> bytes:
    try:
        return _S17.pack(check_len(x, 64, 'closing_tlvs.closer_output_only.sig'))
    except struct.error as exc:
        raise encode_failed('closing_tlvs.closer_output_only', exc) from None


def _r_closing_tlvs_closee_output_only(d: bytes) -> bytes:
    e = len(d)
    if e < 64:
        raise truncated('closing_tlvs.closee_output_only', 64, e)
    f_sig, = _S17.unpack_from(d, 0)
    if 64 != e:
        raise trailing('closing_tlvs.closee_output_only', e - 64)
    value: bytes = f_sig
    return value


def _w_closing_tlvs_closee_output_only(x: bytes) -> bytes:
    try:
        return _S17.pack(check_len(x, 64, 'closing_tlvs.closee_output_only.sig'))
    except struct.error as exc:
        raise encode_failed('closing_tlvs.closee_output_only', exc) from None


def _r_closing_tlvs_closer_and_closee_outputs(d: bytes) -> bytes:
    e = len(d)
    if e < 64:
        raise truncated('closing_tlvs.closer_and_closee_outputs', 64, e)
    f_sig, = _S17.unpack_from(d, 0)
    if 64 != e:
        raise trailing('closing_tlvs.closer_and_closee_outputs', e - 64)
    value: bytes = f_sig
    return value


def _w_closing_tlvs_closer_and_closee_outputs(x: bytes) -> bytes:
    try:
        return _S17.pack(check_len(x, 64, 'closing_tlvs.closer_and_closee_outputs.sig'))
    except struct.error as exc:
        raise encode_failed('closing_tlvs.closer_and_closee_outputs', exc) from None


@dataclass(frozen=True, slots=True)
class ClosingTlvs:
    """TLV stream `closing_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'closing_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1, 2, 3})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('closer_output_only', 'signature', None, None, None, 1),
        Field('closee_output_only', 'signature', None, None, None, 2),
        Field('closer_and_closee_outputs', 'signature', None, None, None, 3),
    )

    closer_output_only: bytes | None = None
    closee_output_only: bytes | None = None
    closer_and_closee_outputs: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.closer_output_only is not None:
            records.append((1, _w_closing_tlvs_closer_output_only(self.closer_output_only)))
        if self.closee_output_only is not None:
            records.append((2, _w_closing_tlvs_closee_output_only(self.closee_output_only)))
        if self.closer_and_closee_outputs is not None:
            records.append((3, _w_closing_tlvs_closer_and_closee_outputs(self.closer_and_closee_outputs)))
        return encode_tlv_records(records, self.unknown, 'closing_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        closer_output_only: bytes | None = None
        closee_output_only: bytes | None = None
        closer_and_closee_outputs: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'closing_tlvs'):
            if t == 1:
                closer_output_only = _r_closing_tlvs_closer_output_only(v)
            elif t == 2:
                closee_output_only = _r_closing_tlvs_closee_output_only(v)
            elif t == 3:
                closer_and_closee_outputs = _r_closing_tlvs_closer_and_closee_outputs(v)
            else:
                unknown.append(check_unknown_record('closing_tlvs', t, v))
        if cls is not ClosingTlvs:  # a subclass: use its __init__
            return cls(closer_output_only, closee_output_only, closer_and_closee_outputs, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_ClosingTlvs
        s0(o, closer_output_only)
        s1(o, closee_output_only)
        s2(o, closer_and_closee_outputs)
        s3(o, tuple(unknown))
        return o


_SET_ClosingTlvs: Final = slot_setters(ClosingTlvs)
_EMPTY_ClosingTlvs: Final = ClosingTlvs()


@dataclass(frozen=True, slots=True)
class ClosingSignedTlvs:
    """TLV stream `closing_signed_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'closing_signed_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('fee_range', 'fee_range', None, None, FeeRange, 1),
    )

    fee_range: FeeRange | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.fee_range is not None:
            records.append((1, self.fee_range.encode()))
        return encode_tlv_records(records, self.unknown, 'closing_signed_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        fee_range: FeeRange | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'closing_signed_tlvs'):
            if t == 1:
                fee_range = FeeRange.decode(v)
            else:
                unknown.append(check_unknown_record('closing_signed_tlvs', t, v))
        if cls is not ClosingSignedTlvs:  # a subclass: use its __init__
            return cls(fee_range, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_ClosingSignedTlvs
        s0(o, fee_range)
        s1(o, tuple(unknown))
        return o


_SET_ClosingSignedTlvs: Final = slot_setters(ClosingSignedTlvs)
_EMPTY_ClosingSignedTlvs: Final = ClosingSignedTlvs()


def _r_update_add_htlc_tlvs_blinded_path(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('update_add_htlc_tlvs.blinded_path', 33, e)
    f_path_key, = _S19.unpack_from(d, 0)
    if (f_path_key[0] | 1) != 3:
        raise bad_point('update_add_htlc_tlvs.blinded_path.path_key')
    if 33 != e:
        raise trailing('update_add_htlc_tlvs.blinded_path', e - 33)
    value: bytes = f_path_key
    return value


def _w_update_add_htlc_tlvs_blinded_path(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'update_add_htlc_tlvs.blinded_path.path_key'))
    except struct.error as exc:
        raise encode_failed('update_add_htlc_tlvs.blinded_path', exc) from None


@dataclass(frozen=True, slots=True)
class UpdateAddHtlcTlvs:
    """TLV stream `update_add_htlc_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'update_add_htlc_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('blinded_path', 'point', None, None, None, 0),
    )

    blinded_path: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.blinded_path is not None:
            records.append((0, _w_update_add_htlc_tlvs_blinded_path(self.blinded_path)))
        return encode_tlv_records(records, self.unknown, 'update_add_htlc_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        blinded_path: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'update_add_htlc_tlvs'):
            if t == 0:
                blinded_path = _r_update_add_htlc_tlvs_blinded_path(v)
            else:
                unknown.append(check_unknown_record('update_add_htlc_tlvs', t, v))
        if cls is not UpdateAddHtlcTlvs:  # a subclass: use its __init__
            return cls(blinded_path, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_UpdateAddHtlcTlvs
        s0(o, blinded_path)
        s1(o, tuple(unknown))
        return o


_SET_UpdateAddHtlcTlvs: Final = slot_setters(UpdateAddHtlcTlvs)
_EMPTY_UpdateAddHtlcTlvs: Final = UpdateAddHtlcTlvs()


@dataclass(frozen=True, slots=True)
class UpdateFulfillHtlcTlvs:
    """TLV stream `update_fulfill_htlc_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'update_fulfill_htlc_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('attribution_data', 'attribution_data', None, None, AttributionData, 1),
    )

    attribution_data: AttributionData | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.attribution_data is not None:
            records.append((1, self.attribution_data.encode()))
        return encode_tlv_records(records, self.unknown, 'update_fulfill_htlc_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        attribution_data: AttributionData | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'update_fulfill_htlc_tlvs'):
            if t == 1:
                attribution_data = AttributionData.decode(v)
            else:
                unknown.append(check_unknown_record('update_fulfill_htlc_tlvs', t, v))
        if cls is not UpdateFulfillHtlcTlvs:  # a subclass: use its __init__
            return cls(attribution_data, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_UpdateFulfillHtlcTlvs
        s0(o, attribution_data)
        s1(o, tuple(unknown))
        return o


_SET_UpdateFulfillHtlcTlvs: Final = slot_setters(UpdateFulfillHtlcTlvs)
_EMPTY_UpdateFulfillHtlcTlvs: Final = UpdateFulfillHtlcTlvs()


@dataclass(frozen=True, slots=True)
class UpdateFailHtlcTlvs:
    """TLV stream `update_fail_htlc_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'update_fail_htlc_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('attribution_data', 'attribution_data', None, None, AttributionData, 1),
    )

    attribution_data: AttributionData | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.attribution_data is not None:
            records.append((1, self.attribution_data.encode()))
        return encode_tlv_records(records, self.unknown, 'update_fail_htlc_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        attribution_data: AttributionData | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'update_fail_htlc_tlvs'):
            if t == 1:
                attribution_data = AttributionData.decode(v)
            else:
                unknown.append(check_unknown_record('update_fail_htlc_tlvs', t, v))
        if cls is not UpdateFailHtlcTlvs:  # a subclass: use its __init__
            return cls(attribution_data, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_UpdateFailHtlcTlvs
        s0(o, attribution_data)
        s1(o, tuple(unknown))
        return o


_SET_UpdateFailHtlcTlvs: Final = slot_setters(UpdateFailHtlcTlvs)
_EMPTY_UpdateFailHtlcTlvs: Final = UpdateFailHtlcTlvs()


def _r_start_batch_tlvs_message_type(d: bytes) -> int:
    e = len(d)
    if e < 2:
        raise truncated('start_batch_tlvs.message_type', 2, e)
    f_message_type, = _S0.unpack_from(d, 0)
    if 2 != e:
        raise trailing('start_batch_tlvs.message_type', e - 2)
    value: int = f_message_type
    return value


def _w_start_batch_tlvs_message_type(x: int) -> bytes:
    try:
        return _S0.pack(x)
    except struct.error as exc:
        raise encode_failed('start_batch_tlvs.message_type', exc) from None


@dataclass(frozen=True, slots=True)
class StartBatchTlvs:
    """TLV stream `start_batch_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'start_batch_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('message_type', 'u16', None, None, None, 1),
    )

    message_type: int | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.message_type is not None:
            records.append((1, _w_start_batch_tlvs_message_type(self.message_type)))
        return encode_tlv_records(records, self.unknown, 'start_batch_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        message_type: int | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'start_batch_tlvs'):
            if t == 1:
                message_type = _r_start_batch_tlvs_message_type(v)
            else:
                unknown.append(check_unknown_record('start_batch_tlvs', t, v))
        if cls is not StartBatchTlvs:  # a subclass: use its __init__
            return cls(message_type, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_StartBatchTlvs
        s0(o, message_type)
        s1(o, tuple(unknown))
        return o


_SET_StartBatchTlvs: Final = slot_setters(StartBatchTlvs)
_EMPTY_StartBatchTlvs: Final = StartBatchTlvs()


def _r_commitment_signed_tlvs_funding_txid(d: bytes) -> bytes:
    e = len(d)
    if e < 32:
        raise truncated('commitment_signed_tlvs.funding_txid', 32, e)
    f_funding_txid, = _S5.unpack_from(d, 0)
    if 32 != e:
        raise trailing('commitment_signed_tlvs.funding_txid', e - 32)
    value: bytes = f_funding_txid
    return value


def _w_commitment_signed_tlvs_funding_txid(x: bytes) -> bytes:
    try:
        return _S5.pack(check_len(x, 32, 'commitment_signed_tlvs.funding_txid.funding_txid'))
    except struct.error as exc:
        raise encode_failed('commitment_signed_tlvs.funding_txid', exc) from None


@dataclass(frozen=True, slots=True)
class CommitmentSignedTlvs:
    """TLV stream `commitment_signed_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'commitment_signed_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('funding_txid', 'sha256', None, None, None, 1),
    )

    funding_txid: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.funding_txid is not None:
            records.append((1, _w_commitment_signed_tlvs_funding_txid(self.funding_txid)))
        return encode_tlv_records(records, self.unknown, 'commitment_signed_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        funding_txid: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'commitment_signed_tlvs'):
            if t == 1:
                funding_txid = _r_commitment_signed_tlvs_funding_txid(v)
            else:
                unknown.append(check_unknown_record('commitment_signed_tlvs', t, v))
        if cls is not CommitmentSignedTlvs:  # a subclass: use its __init__
            return cls(funding_txid, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_CommitmentSignedTlvs
        s0(o, funding_txid)
        s1(o, tuple(unknown))
        return o


_SET_CommitmentSignedTlvs: Final = slot_setters(CommitmentSignedTlvs)
_EMPTY_CommitmentSignedTlvs: Final = CommitmentSignedTlvs()


@dataclass(frozen=True, slots=True)
class ChannelReestablishTlvs:
    """TLV stream `channel_reestablish_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'channel_reestablish_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1, 5})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('next_funding', 'next_funding', None, None, NextFunding, 1),
        Field('my_current_funding_locked', 'my_current_funding_locked', None, None, MyCurrentFundingLocked, 5),
    )

    next_funding: NextFunding | None = None
    my_current_funding_locked: MyCurrentFundingLocked | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.next_funding is not None:
            records.append((1, self.next_funding.encode()))
        if self.my_current_funding_locked is not None:
            records.append((5, self.my_current_funding_locked.encode()))
        return encode_tlv_records(records, self.unknown, 'channel_reestablish_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        next_funding: NextFunding | None = None
        my_current_funding_locked: MyCurrentFundingLocked | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'channel_reestablish_tlvs'):
            if t == 1:
                next_funding = NextFunding.decode(v)
            elif t == 5:
                my_current_funding_locked = MyCurrentFundingLocked.decode(v)
            else:
                unknown.append(check_unknown_record('channel_reestablish_tlvs', t, v))
        if cls is not ChannelReestablishTlvs:  # a subclass: use its __init__
            return cls(next_funding, my_current_funding_locked, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2 = _SET_ChannelReestablishTlvs
        s0(o, next_funding)
        s1(o, my_current_funding_locked)
        s2(o, tuple(unknown))
        return o


_SET_ChannelReestablishTlvs: Final = slot_setters(ChannelReestablishTlvs)
_EMPTY_ChannelReestablishTlvs: Final = ChannelReestablishTlvs()


def _r_payload_amt_to_forward(d: bytes) -> int:
    e = len(d)
    p = 0
    f_amt_to_forward = decode_tu(d, p, e, 8, 'payload.amt_to_forward.amt_to_forward')
    p = e
    value: int = f_amt_to_forward
    return value


def _w_payload_amt_to_forward(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('payload.amt_to_forward', exc) from None


def _r_payload_outgoing_cltv_value(d: bytes) -> int:
    e = len(d)
    p = 0
    f_outgoing_cltv_value = decode_tu(d, p, e, 4, 'payload.outgoing_cltv_value.outgoing_cltv_value')
    p = e
    value: int = f_outgoing_cltv_value
    return value


def _w_payload_outgoing_cltv_value(x: int) -> bytes:
    try:
        return encode_tu(x, 4)
    except struct.error as exc:
        raise encode_failed('payload.outgoing_cltv_value', exc) from None


def _r_payload_short_channel_id(d: bytes) -> ShortChannelId:
    e = len(d)
    if e < 8:
        raise truncated('payload.short_channel_id', 8, e)
    f_short_channel_id, = _S16.unpack_from(d, 0)
    if 8 != e:
        raise trailing('payload.short_channel_id', e - 8)
    value: ShortChannelId = f_short_channel_id
    return value


def _w_payload_short_channel_id(x: ShortChannelId) -> bytes:
    try:
        return _S16.pack(x)
    except struct.error as exc:
        raise encode_failed('payload.short_channel_id', exc) from None


def _r_payload_current_path_key(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('payload.current_path_key', 33, e)
    f_path_key, = _S19.unpack_from(d, 0)
    if (f_path_key[0] | 1) != 3:
        raise bad_point('payload.current_path_key.path_key')
    if 33 != e:
        raise trailing('payload.current_path_key', e - 33)
    value: bytes = f_path_key
    return value


def _w_payload_current_path_key(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'payload.current_path_key.path_key'))
    except struct.error as exc:
        raise encode_failed('payload.current_path_key', exc) from None


def _r_payload_total_amount_msat(d: bytes) -> Msat:
    e = len(d)
    p = 0
    f_total_msat = Msat(decode_tu(d, p, e, 8, 'payload.total_amount_msat.total_msat'))
    p = e
    value: Msat = f_total_msat
    return value


def _w_payload_total_amount_msat(x: Msat) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('payload.total_amount_msat', exc) from None


@dataclass(frozen=True, slots=True)
class Payload:
    """TLV stream `payload`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'payload'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({2, 4, 6, 8, 10, 12, 16, 18})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('amt_to_forward', 'tu64', None, None, None, 2),
        Field('outgoing_cltv_value', 'tu32', None, None, None, 4),
        Field('short_channel_id', 'short_channel_id', None, None, None, 6),
        Field('payment_data', 'payment_data', None, None, PaymentData, 8),
        Field('encrypted_recipient_data', 'byte', '...', None, None, 10),
        Field('current_path_key', 'point', None, None, None, 12),
        Field('payment_metadata', 'byte', '...', None, None, 16),
        Field('total_amount_msat', 'tu64', None, None, None, 18),
    )

    amt_to_forward: int | None = None
    outgoing_cltv_value: int | None = None
    short_channel_id: ShortChannelId | None = None
    payment_data: PaymentData | None = None
    encrypted_recipient_data: bytes | None = None
    current_path_key: bytes | None = None
    payment_metadata: bytes | None = None
    total_amount_msat: Msat | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.amt_to_forward is not None:
            records.append((2, _w_payload_amt_to_forward(self.amt_to_forward)))
        if self.outgoing_cltv_value is not None:
            records.append((4, _w_payload_outgoing_cltv_value(self.outgoing_cltv_value)))
        if self.short_channel_id is not None:
            records.append((6, _w_payload_short_channel_id(self.short_channel_id)))
        if self.payment_data is not None:
            records.append((8, self.payment_data.encode()))
        if self.encrypted_recipient_data is not None:
            records.append((10, self.encrypted_recipient_data))
        if self.current_path_key is not None:
            records.append((12, _w_payload_current_path_key(self.current_path_key)))
        if self.payment_metadata is not None:
            records.append((16, self.payment_metadata))
        if self.total_amount_msat is not None:
            records.append((18, _w_payload_total_amount_msat(self.total_amount_msat)))
        return encode_tlv_records(records, self.unknown, 'payload')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        amt_to_forward: int | None = None
        outgoing_cltv_value: int | None = None
        short_channel_id: ShortChannelId | None = None
        payment_data: PaymentData | None = None
        encrypted_recipient_data: bytes | None = None
        current_path_key: bytes | None = None
        payment_metadata: bytes | None = None
        total_amount_msat: Msat | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'payload'):
            if t == 2:
                amt_to_forward = _r_payload_amt_to_forward(v)
            elif t == 4:
                outgoing_cltv_value = _r_payload_outgoing_cltv_value(v)
            elif t == 6:
                short_channel_id = _r_payload_short_channel_id(v)
            elif t == 8:
                payment_data = PaymentData.decode(v)
            elif t == 10:
                encrypted_recipient_data = v
            elif t == 12:
                current_path_key = _r_payload_current_path_key(v)
            elif t == 16:
                payment_metadata = v
            elif t == 18:
                total_amount_msat = _r_payload_total_amount_msat(v)
            else:
                unknown.append(check_unknown_record('payload', t, v))
        if cls is not Payload:  # a subclass: use its __init__
            return cls(amt_to_forward, outgoing_cltv_value, short_channel_id, payment_data, encrypted_recipient_data, current_path_key, payment_metadata, total_amount_msat, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8 = _SET_Payload
        s0(o, amt_to_forward)
        s1(o, outgoing_cltv_value)
        s2(o, short_channel_id)
        s3(o, payment_data)
        s4(o, encrypted_recipient_data)
        s5(o, current_path_key)
        s6(o, payment_metadata)
        s7(o, total_amount_msat)
        s8(o, tuple(unknown))
        return o


_SET_Payload: Final = slot_setters(Payload)
_EMPTY_Payload: Final = Payload()


def _r_encrypted_data_tlv_short_channel_id(d: bytes) -> ShortChannelId:
    e = len(d)
    if e < 8:
        raise truncated('encrypted_data_tlv.short_channel_id', 8, e)
    f_short_channel_id, = _S16.unpack_from(d, 0)
    if 8 != e:
        raise trailing('encrypted_data_tlv.short_channel_id', e - 8)
    value: ShortChannelId = f_short_channel_id
    return value


def _w_encrypted_data_tlv_short_channel_id(x: ShortChannelId) -> bytes:
    try:
        return _S16.pack(x)
    except struct.error as exc:
        raise encode_failed('encrypted_data_tlv.short_channel_id', exc) from None


def _r_encrypted_data_tlv_next_node_id(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('encrypted_data_tlv.next_node_id', 33, e)
    f_node_id, = _S19.unpack_from(d, 0)
    if (f_node_id[0] | 1) != 3:
        raise bad_point('encrypted_data_tlv.next_node_id.node_id')
    if 33 != e:
        raise trailing('encrypted_data_tlv.next_node_id', e - 33)
    value: bytes = f_node_id
    return value


def _w_encrypted_data_tlv_next_node_id(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'encrypted_data_tlv.next_node_id.node_id'))
    except struct.error as exc:
        raise encode_failed('encrypted_data_tlv.next_node_id', exc) from None


def _r_encrypted_data_tlv_next_path_key_override(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('encrypted_data_tlv.next_path_key_override', 33, e)
    f_path_key, = _S19.unpack_from(d, 0)
    if (f_path_key[0] | 1) != 3:
        raise bad_point('encrypted_data_tlv.next_path_key_override.path_key')
    if 33 != e:
        raise trailing('encrypted_data_tlv.next_path_key_override', e - 33)
    value: bytes = f_path_key
    return value


def _w_encrypted_data_tlv_next_path_key_override(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'encrypted_data_tlv.next_path_key_override.path_key'))
    except struct.error as exc:
        raise encode_failed('encrypted_data_tlv.next_path_key_override', exc) from None


@dataclass(frozen=True, slots=True)
class EncryptedDataTlv:
    """TLV stream `encrypted_data_tlv`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'encrypted_data_tlv'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1, 2, 4, 6, 8, 10, 12, 14})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('padding', 'byte', '...', None, None, 1),
        Field('short_channel_id', 'short_channel_id', None, None, None, 2),
        Field('next_node_id', 'point', None, None, None, 4),
        Field('path_id', 'byte', '...', None, None, 6),
        Field('next_path_key_override', 'point', None, None, None, 8),
        Field('payment_relay', 'payment_relay', None, None, PaymentRelay, 10),
        Field('payment_constraints', 'payment_constraints', None, None, PaymentConstraints, 12),
        Field('allowed_features', 'byte', '...', None, None, 14),
    )

    padding: bytes | None = None
    short_channel_id: ShortChannelId | None = None
    next_node_id: bytes | None = None
    path_id: bytes | None = None
    next_path_key_override: bytes | None = None
    payment_relay: PaymentRelay | None = None
    payment_constraints: PaymentConstraints | None = None
    allowed_features: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.padding is not None:
            records.append((1, self.padding))
        if self.short_channel_id is not None:
            records.append((2, _w_encrypted_data_tlv_short_channel_id(self.short_channel_id)))
        if self.next_node_id is not None:
            records.append((4, _w_encrypted_data_tlv_next_node_id(self.next_node_id)))
        if self.path_id is not None:
            records.append((6, self.path_id))
        if self.next_path_key_override is not None:
            records.append((8, _w_encrypted_data_tlv_next_path_key_override(self.next_path_key_override)))
        if self.payment_relay is not None:
            records.append((10, self.payment_relay.encode()))
        if self.payment_constraints is not None:
            records.append((12, self.payment_constraints.encode()))
        if self.allowed_features is not None:
            records.append((14, self.allowed_features))
        return encode_tlv_records(records, self.unknown, 'encrypted_data_tlv')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        padding: bytes | None = None
        short_channel_id: ShortChannelId | None = None
        next_node_id: bytes | None = None
        path_id: bytes | None = None
        next_path_key_override: bytes | None = None
        payment_relay: PaymentRelay | None = None
        payment_constraints: PaymentConstraints | None = None
        allowed_features: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'encrypted_data_tlv'):
            if t == 1:
                padding = v
            elif t == 2:
                short_channel_id = _r_encrypted_data_tlv_short_channel_id(v)
            elif t == 4:
                next_node_id = _r_encrypted_data_tlv_next_node_id(v)
            elif t == 6:
                path_id = v
            elif t == 8:
                next_path_key_override = _r_encrypted_data_tlv_next_path_key_override(v)
            elif t == 10:
                payment_relay = PaymentRelay.decode(v)
            elif t == 12:
                payment_constraints = PaymentConstraints.decode(v)
            elif t == 14:
                allowed_features = v
            else:
                unknown.append(check_unknown_record('encrypted_data_tlv', t, v))
        if cls is not EncryptedDataTlv:  # a subclass: use its __init__
            return cls(padding, short_channel_id, next_node_id, path_id, next_path_key_override, payment_relay, payment_constraints, allowed_features, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8 = _SET_EncryptedDataTlv
        s0(o, padding)
        s1(o, short_channel_id)
        s2(o, next_node_id)
        s3(o, path_id)
        s4(o, next_path_key_override)
        s5(o, payment_relay)
        s6(o, payment_constraints)
        s7(o, allowed_features)
        s8(o, tuple(unknown))
        return o


_SET_EncryptedDataTlv: Final = slot_setters(EncryptedDataTlv)
_EMPTY_EncryptedDataTlv: Final = EncryptedDataTlv()


def _r_invoice_request_offer_chains(d: bytes) -> tuple[bytes, ...]:
    e = len(d)
    p = 0
    f_chains = read_rest_chunks(d, p, e, 32, 'invoice_request.offer_chains.chains')
    p = e
    value: tuple[bytes, ...] = f_chains
    return value


def _w_invoice_request_offer_chains(x: tuple[bytes, ...]) -> bytes:
    try:
        x_chains = join_fixed(x, 32, 'invoice_request.offer_chains.chains')
        return x_chains
    except struct.error as exc:
        raise encode_failed('invoice_request.offer_chains', exc) from None


def _r_invoice_request_offer_currency(d: bytes) -> str:
    e = len(d)
    p = 0
    f_iso4217 = decode_utf8(d[p:e], 'invoice_request.offer_currency.iso4217')
    p = e
    value: str = f_iso4217
    return value


def _w_invoice_request_offer_currency(x: str) -> bytes:
    try:
        x_iso4217 = encode_utf8(x, 'invoice_request.offer_currency.iso4217')
        return x_iso4217
    except struct.error as exc:
        raise encode_failed('invoice_request.offer_currency', exc) from None


def _r_invoice_request_offer_amount(d: bytes) -> int:
    e = len(d)
    p = 0
    f_amount = decode_tu(d, p, e, 8, 'invoice_request.offer_amount.amount')
    p = e
    value: int = f_amount
    return value


def _w_invoice_request_offer_amount(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice_request.offer_amount', exc) from None


def _r_invoice_request_offer_description(d: bytes) -> str:
    e = len(d)
    p = 0
    f_description = decode_utf8(d[p:e], 'invoice_request.offer_description.description')
    p = e
    value: str = f_description
    return value


def _w_invoice_request_offer_description(x: str) -> bytes:
    try:
        x_description = encode_utf8(x, 'invoice_request.offer_description.description')
        return x_description
    except struct.error as exc:
        raise encode_failed('invoice_request.offer_description', exc) from None


def _r_invoice_request_offer_absolute_expiry(d: bytes) -> int:
    e = len(d)
    p = 0
    f_seconds_from_epoch = decode_tu(d, p, e, 8, 'invoice_request.offer_absolute_expiry.seconds_from_epoch')
    p = e
    value: int = f_seconds_from_epoch
    return value


def _w_invoice_request_offer_absolute_expiry(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice_request.offer_absolute_expiry', exc) from None


def _r_invoice_request_offer_paths(d: bytes) -> tuple[BlindedPath, ...]:
    e = len(d)
    p = 0
    items_paths: list[BlindedPath] = []
    while p < e:
        item_paths, p = BlindedPath.read_from(d, p, e)
        items_paths.append(item_paths)
    f_paths = tuple(items_paths)
    value: tuple[BlindedPath, ...] = f_paths
    return value


def _w_invoice_request_offer_paths(x: tuple[BlindedPath, ...]) -> bytes:
    try:
        x_paths = b"".join([item.encode() for item in x])
        return x_paths
    except struct.error as exc:
        raise encode_failed('invoice_request.offer_paths', exc) from None


def _r_invoice_request_offer_issuer(d: bytes) -> str:
    e = len(d)
    p = 0
    f_issuer = decode_utf8(d[p:e], 'invoice_request.offer_issuer.issuer')
    p = e
    value: str = f_issuer
    return value


def _w_invoice_request_offer_issuer(x: str) -> bytes:
    try:
        x_issuer = encode_utf8(x, 'invoice_request.offer_issuer.issuer')
        return x_issuer
    except struct.error as exc:
        raise encode_failed('invoice_request.offer_issuer', exc) from None


def _r_invoice_request_offer_quantity_max(d: bytes) -> int:
    e = len(d)
    p = 0
    f_max = decode_tu(d, p, e, 8, 'invoice_request.offer_quantity_max.max')
    p = e
    value: int = f_max
    return value


def _w_invoice_request_offer_quantity_max(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice_request.offer_quantity_max', exc) from None


def _r_invoice_request_offer_issuer_id(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('invoice_request.offer_issuer_id', 33, e)
    f_id, = _S19.unpack_from(d, 0)
    if (f_id[0] | 1) != 3:
        raise bad_point('invoice_request.offer_issuer_id.id')
    if 33 != e:
        raise trailing('invoice_request.offer_issuer_id', e - 33)
    value: bytes = f_id
    return value


def _w_invoice_request_offer_issuer_id(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'invoice_request.offer_issuer_id.id'))
    except struct.error as exc:
        raise encode_failed('invoice_request.offer_issuer_id', exc) from None


def _r_invoice_request_invreq_chain(d: bytes) -> bytes:
    e = len(d)
    if e < 32:
        raise truncated('invoice_request.invreq_chain', 32, e)
    f_chain, = _S5.unpack_from(d, 0)
    if 32 != e:
        raise trailing('invoice_request.invreq_chain', e - 32)
    value: bytes = f_chain
    return value


def _w_invoice_request_invreq_chain(x: bytes) -> bytes:
    try:
        return _S5.pack(check_len(x, 32, 'invoice_request.invreq_chain.chain'))
    except struct.error as exc:
        raise encode_failed('invoice_request.invreq_chain', exc) from None


def _r_invoice_request_invreq_amount(d: bytes) -> Msat:
    e = len(d)
    p = 0
    f_msat = Msat(decode_tu(d, p, e, 8, 'invoice_request.invreq_amount.msat'))
    p = e
    value: Msat = f_msat
    return value


def _w_invoice_request_invreq_amount(x: Msat) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice_request.invreq_amount', exc) from None


def _r_invoice_request_invreq_quantity(d: bytes) -> int:
    e = len(d)
    p = 0
    f_quantity = decode_tu(d, p, e, 8, 'invoice_request.invreq_quantity.quantity')
    p = e
    value: int = f_quantity
    return value


def _w_invoice_request_invreq_quantity(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice_request.invreq_quantity', exc) from None


def _r_invoice_request_invreq_payer_id(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('invoice_request.invreq_payer_id', 33, e)
    f_key, = _S19.unpack_from(d, 0)
    if (f_key[0] | 1) != 3:
        raise bad_point('invoice_request.invreq_payer_id.key')
    if 33 != e:
        raise trailing('invoice_request.invreq_payer_id', e - 33)
    value: bytes = f_key
    return value


def _w_invoice_request_invreq_payer_id(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'invoice_request.invreq_payer_id.key'))
    except struct.error as exc:
        raise encode_failed('invoice_request.invreq_payer_id', exc) from None


def _r_invoice_request_invreq_payer_note(d: bytes) -> str:
    e = len(d)
    p = 0
    f_note = decode_utf8(d[p:e], 'invoice_request.invreq_payer_note.note')
    p = e
    value: str = f_note
    return value


def _w_invoice_request_invreq_payer_note(x: str) -> bytes:
    try:
        x_note = encode_utf8(x, 'invoice_request.invreq_payer_note.note')
        return x_note
    except struct.error as exc:
        raise encode_failed('invoice_request.invreq_payer_note', exc) from None


def _r_invoice_request_invreq_paths(d: bytes) -> tuple[BlindedPath, ...]:
    e = len(d)
    p = 0
    items_paths: list[BlindedPath] = []
    while p < e:
        item_paths, p = BlindedPath.read_from(d, p, e)
        items_paths.append(item_paths)
    f_paths = tuple(items_paths)
    value: tuple[BlindedPath, ...] = f_paths
    return value


def _w_invoice_request_invreq_paths(x: tuple[BlindedPath, ...]) -> bytes:
    try:
        x_paths = b"".join([item.encode() for item in x])
        return x_paths
    except struct.error as exc:
        raise encode_failed('invoice_request.invreq_paths', exc) from None


def _r_invoice_request_signature(d: bytes) -> bytes:
    e = len(d)
    if e < 64:
        raise truncated('invoice_request.signature', 64, e)
    f_sig, = _S17.unpack_from(d, 0)
    if 64 != e:
        raise trailing('invoice_request.signature', e - 64)
    value: bytes = f_sig
    return value


def _w_invoice_request_signature(x: bytes) -> bytes:
    try:
        return _S17.pack(check_len(x, 64, 'invoice_request.signature.sig'))
    except struct.error as exc:
        raise encode_failed('invoice_request.signature', exc) from None


@dataclass(frozen=True, slots=True)
class InvoiceRequest:
    """TLV stream `invoice_request`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'invoice_request'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 80, 82, 84, 86, 88, 89, 90, 91, 240})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('invreq_metadata', 'byte', '...', None, None, 0),
        Field('offer_chains', 'chain_hash', '...', None, None, 2),
        Field('offer_metadata', 'byte', '...', None, None, 4),
        Field('offer_currency', 'utf8', '...', None, None, 6),
        Field('offer_amount', 'tu64', None, None, None, 8),
        Field('offer_description', 'utf8', '...', None, None, 10),
        Field('offer_features', 'byte', '...', None, None, 12),
        Field('offer_absolute_expiry', 'tu64', None, None, None, 14),
        Field('offer_paths', 'blinded_path', '...', None, BlindedPath, 16),
        Field('offer_issuer', 'utf8', '...', None, None, 18),
        Field('offer_quantity_max', 'tu64', None, None, None, 20),
        Field('offer_issuer_id', 'point', None, None, None, 22),
        Field('invreq_chain', 'chain_hash', None, None, None, 80),
        Field('invreq_amount', 'tu64', None, None, None, 82),
        Field('invreq_features', 'byte', '...', None, None, 84),
        Field('invreq_quantity', 'tu64', None, None, None, 86),
        Field('invreq_payer_id', 'point', None, None, None, 88),
        Field('invreq_payer_note', 'utf8', '...', None, None, 89),
        Field('invreq_paths', 'blinded_path', '...', None, BlindedPath, 90),
        Field('invreq_bip_353_name', 'invreq_bip_353_name', None, None, InvreqBip353Name, 91),
        Field('signature', 'bip340sig', None, None, None, 240),
    )

    invreq_metadata: bytes | None = None
    offer_chains: tuple[bytes, ...] | None = None
    offer_metadata: bytes | None = None
    offer_currency: str | None = None
    offer_amount: int | None = None
    offer_description: str | None = None
    offer_features: bytes | None = None
    offer_absolute_expiry: int | None = None
    offer_paths: tuple[BlindedPath, ...] | None = None
    offer_issuer: str | None = None
    offer_quantity_max: int | None = None
    offer_issuer_id: bytes | None = None
    invreq_chain: bytes | None = None
    invreq_amount: Msat | None = None
    invreq_features: bytes | None = None
    invreq_quantity: int | None = None
    invreq_payer_id: bytes | None = None
    invreq_payer_note: str | None = None
    invreq_paths: tuple[BlindedPath, ...] | None = None
    invreq_bip_353_name: InvreqBip353Name | None = None
    signature: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.invreq_metadata is not None:
            records.append((0, self.invreq_metadata))
        if self.offer_chains is not None:
            records.append((2, _w_invoice_request_offer_chains(self.offer_chains)))
        if self.offer_metadata is not None:
            records.append((4, self.offer_metadata))
        if self.offer_currency is not None:
            records.append((6, _w_invoice_request_offer_currency(self.offer_currency)))
        if self.offer_amount is not None:
            records.append((8, _w_invoice_request_offer_amount(self.offer_amount)))
        if self.offer_description is not None:
            records.append((10, _w_invoice_request_offer_description(self.offer_description)))
        if self.offer_features is not None:
            records.append((12, self.offer_features))
        if self.offer_absolute_expiry is not None:
            records.append((14, _w_invoice_request_offer_absolute_expiry(self.offer_absolute_expiry)))
        if self.offer_paths is not None:
            records.append((16, _w_invoice_request_offer_paths(self.offer_paths)))
        if self.offer_issuer is not None:
            records.append((18, _w_invoice_request_offer_issuer(self.offer_issuer)))
        if self.offer_quantity_max is not None:
            records.append((20, _w_invoice_request_offer_quantity_max(self.offer_quantity_max)))
        if self.offer_issuer_id is not None:
            records.append((22, _w_invoice_request_offer_issuer_id(self.offer_issuer_id)))
        if self.invreq_chain is not None:
            records.append((80, _w_invoice_request_invreq_chain(self.invreq_chain)))
        if self.invreq_amount is not None:
            records.append((82, _w_invoice_request_invreq_amount(self.invreq_amount)))
        if self.invreq_features is not None:
            records.append((84, self.invreq_features))
        if self.invreq_quantity is not None:
            records.append((86, _w_invoice_request_invreq_quantity(self.invreq_quantity)))
        if self.invreq_payer_id is not None:
            records.append((88, _w_invoice_request_invreq_payer_id(self.invreq_payer_id)))
        if self.invreq_payer_note is not None:
            records.append((89, _w_invoice_request_invreq_payer_note(self.invreq_payer_note)))
        if self.invreq_paths is not None:
            records.append((90, _w_invoice_request_invreq_paths(self.invreq_paths)))
        if self.invreq_bip_353_name is not None:
            records.append((91, self.invreq_bip_353_name.encode()))
        if self.signature is not None:
            records.append((240, _w_invoice_request_signature(self.signature)))
        return encode_tlv_records(records, self.unknown, 'invoice_request')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        invreq_metadata: bytes | None = None
        offer_chains: tuple[bytes, ...] | None = None
        offer_metadata: bytes | None = None
        offer_currency: str | None = None
        offer_amount: int | None = None
        offer_description: str | None = None
        offer_features: bytes | None = None
        offer_absolute_expiry: int | None = None
        offer_paths: tuple[BlindedPath, ...] | None = None
        offer_issuer: str | None = None
        offer_quantity_max: int | None = None
        offer_issuer_id: bytes | None = None
        invreq_chain: bytes | None = None
        invreq_amount: Msat | None = None
        invreq_features: bytes | None = None
        invreq_quantity: int | None = None
        invreq_payer_id: bytes | None = None
        invreq_payer_note: str | None = None
        invreq_paths: tuple[BlindedPath, ...] | None = None
        invreq_bip_353_name: InvreqBip353Name | None = None
        signature: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'invoice_request'):
            if t == 0:
                invreq_metadata = v
            elif t == 2:
                offer_chains = _r_invoice_request_offer_chains(v)
            elif t == 4:
                offer_metadata = v
            elif t == 6:
                offer_currency = _r_invoice_request_offer_currency(v)
            elif t == 8:
                offer_amount = _r_invoice_request_offer_amount(v)
            elif t == 10:
                offer_description = _r_invoice_request_offer_description(v)
            elif t == 12:
                offer_features = v
            elif t == 14:
                offer_absolute_expiry = _r_invoice_request_offer_absolute_expiry(v)
            elif t == 16:
                offer_paths = _r_invoice_request_offer_paths(v)
            elif t == 18:
                offer_issuer = _r_invoice_request_offer_issuer(v)
            elif t == 20:
                offer_quantity_max = _r_invoice_request_offer_quantity_max(v)
            elif t == 22:
                offer_issuer_id = _r_invoice_request_offer_issuer_id(v)
            elif t == 80:
                invreq_chain = _r_invoice_request_invreq_chain(v)
            elif t == 82:
                invreq_amount = _r_invoice_request_invreq_amount(v)
            elif t == 84:
                invreq_features = v
            elif t == 86:
                invreq_quantity = _r_invoice_request_invreq_quantity(v)
            elif t == 88:
                invreq_payer_id = _r_invoice_request_invreq_payer_id(v)
            elif t == 89:
                invreq_payer_note = _r_invoice_request_invreq_payer_note(v)
            elif t == 90:
                invreq_paths = _r_invoice_request_invreq_paths(v)
            elif t == 91:
                invreq_bip_353_name = InvreqBip353Name.decode(v)
            elif t == 240:
                signature = _r_invoice_request_signature(v)
            else:
                unknown.append(check_unknown_record('invoice_request', t, v))
        if cls is not InvoiceRequest:  # a subclass: use its __init__
            return cls(invreq_metadata, offer_chains, offer_metadata, offer_currency, offer_amount, offer_description, offer_features, offer_absolute_expiry, offer_paths, offer_issuer, offer_quantity_max, offer_issuer_id, invreq_chain, invreq_amount, invreq_features, invreq_quantity, invreq_payer_id, invreq_payer_note, invreq_paths, invreq_bip_353_name, signature, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20, s21 = _SET_InvoiceRequest
        s0(o, invreq_metadata)
        s1(o, offer_chains)
        s2(o, offer_metadata)
        s3(o, offer_currency)
        s4(o, offer_amount)
        s5(o, offer_description)
        s6(o, offer_features)
        s7(o, offer_absolute_expiry)
        s8(o, offer_paths)
        s9(o, offer_issuer)
        s10(o, offer_quantity_max)
        s11(o, offer_issuer_id)
        s12(o, invreq_chain)
        s13(o, invreq_amount)
        s14(o, invreq_features)
        s15(o, invreq_quantity)
        s16(o, invreq_payer_id)
        s17(o, invreq_payer_note)
        s18(o, invreq_paths)
        s19(o, invreq_bip_353_name)
        s20(o, signature)
        s21(o, tuple(unknown))
        return o


_SET_InvoiceRequest: Final = slot_setters(InvoiceRequest)
_EMPTY_InvoiceRequest: Final = InvoiceRequest()


def _r_invoice_offer_chains(d: bytes) -> tuple[bytes, ...]:
    e = len(d)
    p = 0
    f_chains = read_rest_chunks(d, p, e, 32, 'invoice.offer_chains.chains')
    p = e
    value: tuple[bytes, ...] = f_chains
    return value


def _w_invoice_offer_chains(x: tuple[bytes, ...]) -> bytes:
    try:
        x_chains = join_fixed(x, 32, 'invoice.offer_chains.chains')
        return x_chains
    except struct.error as exc:
        raise encode_failed('invoice.offer_chains', exc) from None


def _r_invoice_offer_currency(d: bytes) -> str:
    e = len(d)
    p = 0
    f_iso4217 = decode_utf8(d[p:e], 'invoice.offer_currency.iso4217')
    p = e
    value: str = f_iso4217
    return value


def _w_invoice_offer_currency(x: str) -> bytes:
    try:
        x_iso4217 = encode_utf8(x, 'invoice.offer_currency.iso4217')
        return x_iso4217
    except struct.error as exc:
        raise encode_failed('invoice.offer_currency', exc) from None


def _r_invoice_offer_amount(d: bytes) -> int:
    e = len(d)
    p = 0
    f_amount = decode_tu(d, p, e, 8, 'invoice.offer_amount.amount')
    p = e
    value: int = f_amount
    return value


def _w_invoice_offer_amount(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice.offer_amount', exc) from None


def _r_invoice_offer_description(d: bytes) -> str:
    e = len(d)
    p = 0
    f_description = decode_utf8(d[p:e], 'invoice.offer_description.description')
    p = e
    value: str = f_description
    return value


def _w_invoice_offer_description(x: str) -> bytes:
    try:
        x_description = encode_utf8(x, 'invoice.offer_description.description')
        return x_description
    except struct.error as exc:
        raise encode_failed('invoice.offer_description', exc) from None


def _r_invoice_offer_absolute_expiry(d: bytes) -> int:
    e = len(d)
    p = 0
    f_seconds_from_epoch = decode_tu(d, p, e, 8, 'invoice.offer_absolute_expiry.seconds_from_epoch')
    p = e
    value: int = f_seconds_from_epoch
    return value


def _w_invoice_offer_absolute_expiry(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice.offer_absolute_expiry', exc) from None


def _r_invoice_offer_paths(d: bytes) -> tuple[BlindedPath, ...]:
    e = len(d)
    p = 0
    items_paths: list[BlindedPath] = []
    while p < e:
        item_paths, p = BlindedPath.read_from(d, p, e)
        items_paths.append(item_paths)
    f_paths = tuple(items_paths)
    value: tuple[BlindedPath, ...] = f_paths
    return value


def _w_invoice_offer_paths(x: tuple[BlindedPath, ...]) -> bytes:
    try:
        x_paths = b"".join([item.encode() for item in x])
        return x_paths
    except struct.error as exc:
        raise encode_failed('invoice.offer_paths', exc) from None


def _r_invoice_offer_issuer(d: bytes) -> str:
    e = len(d)
    p = 0
    f_issuer = decode_utf8(d[p:e], 'invoice.offer_issuer.issuer')
    p = e
    value: str = f_issuer
    return value


def _w_invoice_offer_issuer(x: str) -> bytes:
    try:
        x_issuer = encode_utf8(x, 'invoice.offer_issuer.issuer')
        return x_issuer
    except struct.error as exc:
        raise encode_failed('invoice.offer_issuer', exc) from None


def _r_invoice_offer_quantity_max(d: bytes) -> int:
    e = len(d)
    p = 0
    f_max = decode_tu(d, p, e, 8, 'invoice.offer_quantity_max.max')
    p = e
    value: int = f_max
    return value


def _w_invoice_offer_quantity_max(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice.offer_quantity_max', exc) from None


def _r_invoice_offer_issuer_id(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('invoice.offer_issuer_id', 33, e)
    f_id, = _S19.unpack_from(d, 0)
    if (f_id[0] | 1) != 3:
        raise bad_point('invoice.offer_issuer_id.id')
    if 33 != e:
        raise trailing('invoice.offer_issuer_id', e - 33)
    value: bytes = f_id
    return value


def _w_invoice_offer_issuer_id(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'invoice.offer_issuer_id.id'))
    except struct.error as exc:
        raise encode_failed('invoice.offer_issuer_id', exc) from None


def _r_invoice_invreq_chain(d: bytes) -> bytes:
    e = len(d)
    if e < 32:
        raise truncated('invoice.invreq_chain', 32, e)
    f_chain, = _S5.unpack_from(d, 0)
    if 32 != e:
        raise trailing('invoice.invreq_chain', e - 32)
    value: bytes = f_chain
    return value


def _w_invoice_invreq_chain(x: bytes) -> bytes:
    try:
        return _S5.pack(check_len(x, 32, 'invoice.invreq_chain.chain'))
    except struct.error as exc:
        raise encode_failed('invoice.invreq_chain', exc) from None


def _r_invoice_invreq_amount(d: bytes) -> Msat:
    e = len(d)
    p = 0
    f_msat = Msat(decode_tu(d, p, e, 8, 'invoice.invreq_amount.msat'))
    p = e
    value: Msat = f_msat
    return value


def _w_invoice_invreq_amount(x: Msat) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice.invreq_amount', exc) from None


def _r_invoice_invreq_quantity(d: bytes) -> int:
    e = len(d)
    p = 0
    f_quantity = decode_tu(d, p, e, 8, 'invoice.invreq_quantity.quantity')
    p = e
    value: int = f_quantity
    return value


def _w_invoice_invreq_quantity(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice.invreq_quantity', exc) from None


def _r_invoice_invreq_payer_id(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('invoice.invreq_payer_id', 33, e)
    f_key, = _S19.unpack_from(d, 0)
    if (f_key[0] | 1) != 3:
        raise bad_point('invoice.invreq_payer_id.key')
    if 33 != e:
        raise trailing('invoice.invreq_payer_id', e - 33)
    value: bytes = f_key
    return value


def _w_invoice_invreq_payer_id(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'invoice.invreq_payer_id.key'))
    except struct.error as exc:
        raise encode_failed('invoice.invreq_payer_id', exc) from None


def _r_invoice_invreq_payer_note(d: bytes) -> str:
    e = len(d)
    p = 0
    f_note = decode_utf8(d[p:e], 'invoice.invreq_payer_note.note')
    p = e
    value: str = f_note
    return value


def _w_invoice_invreq_payer_note(x: str) -> bytes:
    try:
        x_note = encode_utf8(x, 'invoice.invreq_payer_note.note')
        return x_note
    except struct.error as exc:
        raise encode_failed('invoice.invreq_payer_note', exc) from None


def _r_invoice_invreq_paths(d: bytes) -> tuple[BlindedPath, ...]:
    e = len(d)
    p = 0
    items_paths: list[BlindedPath] = []
    while p < e:
        item_paths, p = BlindedPath.read_from(d, p, e)
        items_paths.append(item_paths)
    f_paths = tuple(items_paths)
    value: tuple[BlindedPath, ...] = f_paths
    return value


def _w_invoice_invreq_paths(x: tuple[BlindedPath, ...]) -> bytes:
    try:
        x_paths = b"".join([item.encode() for item in x])
        return x_paths
    except struct.error as exc:
        raise encode_failed('invoice.invreq_paths', exc) from None


def _r_invoice_invoice_paths(d: bytes) -> tuple[BlindedPath, ...]:
    e = len(d)
    p = 0
    items_paths: list[BlindedPath] = []
    while p < e:
        item_paths, p = BlindedPath.read_from(d, p, e)
        items_paths.append(item_paths)
    f_paths = tuple(items_paths)
    value: tuple[BlindedPath, ...] = f_paths
    return value


def _w_invoice_invoice_paths(x: tuple[BlindedPath, ...]) -> bytes:
    try:
        x_paths = b"".join([item.encode() for item in x])
        return x_paths
    except struct.error as exc:
        raise encode_failed('invoice.invoice_paths', exc) from None


def _r_invoice_invoice_blindedpay(d: bytes) -> tuple[BlindedPayinfo, ...]:
    e = len(d)
    p = 0
    items_payinfo: list[BlindedPayinfo] = []
    while p < e:
        item_payinfo, p = BlindedPayinfo.read_from(d, p, e)
        items_payinfo.append(item_payinfo)
    f_payinfo = tuple(items_payinfo)
    value: tuple[BlindedPayinfo, ...] = f_payinfo
    return value


def _w_invoice_invoice_blindedpay(x: tuple[BlindedPayinfo, ...]) -> bytes:
    try:
        x_payinfo = b"".join([item.encode() for item in x])
        return x_payinfo
    except struct.error as exc:
        raise encode_failed('invoice.invoice_blindedpay', exc) from None


def _r_invoice_invoice_created_at(d: bytes) -> int:
    e = len(d)
    p = 0
    f_timestamp = decode_tu(d, p, e, 8, 'invoice.invoice_created_at.timestamp')
    p = e
    value: int = f_timestamp
    return value


def _w_invoice_invoice_created_at(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice.invoice_created_at', exc) from None


def _r_invoice_invoice_relative_expiry(d: bytes) -> int:
    e = len(d)
    p = 0
    f_seconds_from_creation = decode_tu(d, p, e, 4, 'invoice.invoice_relative_expiry.seconds_from_creation')
    p = e
    value: int = f_seconds_from_creation
    return value


def _w_invoice_invoice_relative_expiry(x: int) -> bytes:
    try:
        return encode_tu(x, 4)
    except struct.error as exc:
        raise encode_failed('invoice.invoice_relative_expiry', exc) from None


def _r_invoice_invoice_payment_hash(d: bytes) -> bytes:
    e = len(d)
    if e < 32:
        raise truncated('invoice.invoice_payment_hash', 32, e)
    f_payment_hash, = _S5.unpack_from(d, 0)
    if 32 != e:
        raise trailing('invoice.invoice_payment_hash', e - 32)
    value: bytes = f_payment_hash
    return value


def _w_invoice_invoice_payment_hash(x: bytes) -> bytes:
    try:
        return _S5.pack(check_len(x, 32, 'invoice.invoice_payment_hash.payment_hash'))
    except struct.error as exc:
        raise encode_failed('invoice.invoice_payment_hash', exc) from None


def _r_invoice_invoice_amount(d: bytes) -> Msat:
    e = len(d)
    p = 0
    f_msat = Msat(decode_tu(d, p, e, 8, 'invoice.invoice_amount.msat'))
    p = e
    value: Msat = f_msat
    return value


def _w_invoice_invoice_amount(x: Msat) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice.invoice_amount', exc) from None


def _r_invoice_invoice_fallbacks(d: bytes) -> tuple[FallbackAddress, ...]:
    e = len(d)
    p = 0
    items_fallbacks: list[FallbackAddress] = []
    while p < e:
        item_fallbacks, p = FallbackAddress.read_from(d, p, e)
        items_fallbacks.append(item_fallbacks)
    f_fallbacks = tuple(items_fallbacks)
    value: tuple[FallbackAddress, ...] = f_fallbacks
    return value


def _w_invoice_invoice_fallbacks(x: tuple[FallbackAddress, ...]) -> bytes:
    try:
        x_fallbacks = b"".join([item.encode() for item in x])
        return x_fallbacks
    except struct.error as exc:
        raise encode_failed('invoice.invoice_fallbacks', exc) from None


def _r_invoice_invoice_node_id(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('invoice.invoice_node_id', 33, e)
    f_node_id, = _S19.unpack_from(d, 0)
    if (f_node_id[0] | 1) != 3:
        raise bad_point('invoice.invoice_node_id.node_id')
    if 33 != e:
        raise trailing('invoice.invoice_node_id', e - 33)
    value: bytes = f_node_id
    return value


def _w_invoice_invoice_node_id(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'invoice.invoice_node_id.node_id'))
    except struct.error as exc:
        raise encode_failed('invoice.invoice_node_id', exc) from None


def _r_invoice_signature(d: bytes) -> bytes:
    e = len(d)
    if e < 64:
        raise truncated('invoice.signature', 64, e)
    f_sig, = _S17.unpack_from(d, 0)
    if 64 != e:
        raise trailing('invoice.signature', e - 64)
    value: bytes = f_sig
    return value


def _w_invoice_signature(x: bytes) -> bytes:
    try:
        return _S17.pack(check_len(x, 64, 'invoice.signature.sig'))
    except struct.error as exc:
        raise encode_failed('invoice.signature', exc) from None


@dataclass(frozen=True, slots=True)
class Invoice:
    """TLV stream `invoice`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'invoice'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 80, 82, 84, 86, 88, 89, 90, 91, 160, 162, 164, 166, 168, 170, 172, 174, 176, 240})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('invreq_metadata', 'byte', '...', None, None, 0),
        Field('offer_chains', 'chain_hash', '...', None, None, 2),
        Field('offer_metadata', 'byte', '...', None, None, 4),
        Field('offer_currency', 'utf8', '...', None, None, 6),
        Field('offer_amount', 'tu64', None, None, None, 8),
        Field('offer_description', 'utf8', '...', None, None, 10),
        Field('offer_features', 'byte', '...', None, None, 12),
        Field('offer_absolute_expiry', 'tu64', None, None, None, 14),
        Field('offer_paths', 'blinded_path', '...', None, BlindedPath, 16),
        Field('offer_issuer', 'utf8', '...', None, None, 18),
        Field('offer_quantity_max', 'tu64', None, None, None, 20),
        Field('offer_issuer_id', 'point', None, None, None, 22),
        Field('invreq_chain', 'chain_hash', None, None, None, 80),
        Field('invreq_amount', 'tu64', None, None, None, 82),
        Field('invreq_features', 'byte', '...', None, None, 84),
        Field('invreq_quantity', 'tu64', None, None, None, 86),
        Field('invreq_payer_id', 'point', None, None, None, 88),
        Field('invreq_payer_note', 'utf8', '...', None, None, 89),
        Field('invreq_paths', 'blinded_path', '...', None, BlindedPath, 90),
        Field('invreq_bip_353_name', 'invreq_bip_353_name', None, None, InvreqBip353Name, 91),
        Field('invoice_paths', 'blinded_path', '...', None, BlindedPath, 160),
        Field('invoice_blindedpay', 'blinded_payinfo', '...', None, BlindedPayinfo, 162),
        Field('invoice_created_at', 'tu64', None, None, None, 164),
        Field('invoice_relative_expiry', 'tu32', None, None, None, 166),
        Field('invoice_payment_hash', 'sha256', None, None, None, 168),
        Field('invoice_amount', 'tu64', None, None, None, 170),
        Field('invoice_fallbacks', 'fallback_address', '...', None, FallbackAddress, 172),
        Field('invoice_features', 'byte', '...', None, None, 174),
        Field('invoice_node_id', 'point', None, None, None, 176),
        Field('signature', 'bip340sig', None, None, None, 240),
    )

    invreq_metadata: bytes | None = None
    offer_chains: tuple[bytes, ...] | None = None
    offer_metadata: bytes | None = None
    offer_currency: str | None = None
    offer_amount: int | None = None
    offer_description: str | None = None
    offer_features: bytes | None = None
    offer_absolute_expiry: int | None = None
    offer_paths: tuple[BlindedPath, ...] | None = None
    offer_issuer: str | None = None
    offer_quantity_max: int | None = None
    offer_issuer_id: bytes | None = None
    invreq_chain: bytes | None = None
    invreq_amount: Msat | None = None
    invreq_features: bytes | None = None
    invreq_quantity: int | None = None
    invreq_payer_id: bytes | None = None
    invreq_payer_note: str | None = None
    invreq_paths: tuple[BlindedPath, ...] | None = None
    invreq_bip_353_name: InvreqBip353Name | None = None
    invoice_paths: tuple[BlindedPath, ...] | None = None
    invoice_blindedpay: tuple[BlindedPayinfo, ...] | None = None
    invoice_created_at: int | None = None
    invoice_relative_expiry: int | None = None
    invoice_payment_hash: bytes | None = None
    invoice_amount: Msat | None = None
    invoice_fallbacks: tuple[FallbackAddress, ...] | None = None
    invoice_features: bytes | None = None
    invoice_node_id: bytes | None = None
    signature: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.invreq_metadata is not None:
            records.append((0, self.invreq_metadata))
        if self.offer_chains is not None:
            records.append((2, _w_invoice_offer_chains(self.offer_chains)))
        if self.offer_metadata is not None:
            records.append((4, self.offer_metadata))
        if self.offer_currency is not None:
            records.append((6, _w_invoice_offer_currency(self.offer_currency)))
        if self.offer_amount is not None:
            records.append((8, _w_invoice_offer_amount(self.offer_amount)))
        if self.offer_description is not None:
            records.append((10, _w_invoice_offer_description(self.offer_description)))
        if self.offer_features is not None:
            records.append((12, self.offer_features))
        if self.offer_absolute_expiry is not None:
            records.append((14, _w_invoice_offer_absolute_expiry(self.offer_absolute_expiry)))
        if self.offer_paths is not None:
            records.append((16, _w_invoice_offer_paths(self.offer_paths)))
        if self.offer_issuer is not None:
            records.append((18, _w_invoice_offer_issuer(self.offer_issuer)))
        if self.offer_quantity_max is not None:
            records.append((20, _w_invoice_offer_quantity_max(self.offer_quantity_max)))
        if self.offer_issuer_id is not None:
            records.append((22, _w_invoice_offer_issuer_id(self.offer_issuer_id)))
        if self.invreq_chain is not None:
            records.append((80, _w_invoice_invreq_chain(self.invreq_chain)))
        if self.invreq_amount is not None:
            records.append((82, _w_invoice_invreq_amount(self.invreq_amount)))
        if self.invreq_features is not None:
            records.append((84, self.invreq_features))
        if self.invreq_quantity is not None:
            records.append((86, _w_invoice_invreq_quantity(self.invreq_quantity)))
        if self.invreq_payer_id is not None:
            records.append((88, _w_invoice_invreq_payer_id(self.invreq_payer_id)))
        if self.invreq_payer_note is not None:
            records.append((89, _w_invoice_invreq_payer_note(self.invreq_payer_note)))
        if self.invreq_paths is not None:
            records.append((90, _w_invoice_invreq_paths(self.invreq_paths)))
        if self.invreq_bip_353_name is not None:
            records.append((91, self.invreq_bip_353_name.encode()))
        if self.invoice_paths is not None:
            records.append((160, _w_invoice_invoice_paths(self.invoice_paths)))
        if self.invoice_blindedpay is not None:
            records.append((162, _w_invoice_invoice_blindedpay(self.invoice_blindedpay)))
        if self.invoice_created_at is not None:
            records.append((164, _w_invoice_invoice_created_at(self.invoice_created_at)))
        if self.invoice_relative_expiry is not None:
            records.append((166, _w_invoice_invoice_relative_expiry(self.invoice_relative_expiry)))
        if self.invoice_payment_hash is not None:
            records.append((168, _w_invoice_invoice_payment_hash(self.invoice_payment_hash)))
        if self.invoice_amount is not None:
            records.append((170, _w_invoice_invoice_amount(self.invoice_amount)))
        if self.invoice_fallbacks is not None:
            records.append((172, _w_invoice_invoice_fallbacks(self.invoice_fallbacks)))
        if self.invoice_features is not None:
            records.append((174, self.invoice_features))
        if self.invoice_node_id is not None:
            records.append((176, _w_invoice_invoice_node_id(self.invoice_node_id)))
        if self.signature is not None:
            records.append((240, _w_invoice_signature(self.signature)))
        return encode_tlv_records(records, self.unknown, 'invoice')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        invreq_metadata: bytes | None = None
        offer_chains: tuple[bytes, ...] | None = None
        offer_metadata: bytes | None = None
        offer_currency: str | None = None
        offer_amount: int | None = None
        offer_description: str | None = None
        offer_features: bytes | None = None
        offer_absolute_expiry: int | None = None
        offer_paths: tuple[BlindedPath, ...] | None = None
        offer_issuer: str | None = None
        offer_quantity_max: int | None = None
        offer_issuer_id: bytes | None = None
        invreq_chain: bytes | None = None
        invreq_amount: Msat | None = None
        invreq_features: bytes | None = None
        invreq_quantity: int | None = None
        invreq_payer_id: bytes | None = None
        invreq_payer_note: str | None = None
        invreq_paths: tuple[BlindedPath, ...] | None = None
        invreq_bip_353_name: InvreqBip353Name | None = None
        invoice_paths: tuple[BlindedPath, ...] | None = None
        invoice_blindedpay: tuple[BlindedPayinfo, ...] | None = None
        invoice_created_at: int | None = None
        invoice_relative_expiry: int | None = None
        invoice_payment_hash: bytes | None = None
        invoice_amount: Msat | None = None
        invoice_fallbacks: tuple[FallbackAddress, ...] | None = None
        invoice_features: bytes | None = None
        invoice_node_id: bytes | None = None
        signature: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'invoice'):
            if t == 0:
                invreq_metadata = v
            elif t == 2:
                offer_chains = _r_invoice_offer_chains(v)
            elif t == 4:
                offer_metadata = v
            elif t == 6:
                offer_currency = _r_invoice_offer_currency(v)
            elif t == 8:
                offer_amount = _r_invoice_offer_amount(v)
            elif t == 10:
                offer_description = _r_invoice_offer_description(v)
            elif t == 12:
                offer_features = v
            elif t == 14:
                offer_absolute_expiry = _r_invoice_offer_absolute_expiry(v)
            elif t == 16:
                offer_paths = _r_invoice_offer_paths(v)
            elif t == 18:
                offer_issuer = _r_invoice_offer_issuer(v)
            elif t == 20:
                offer_quantity_max = _r_invoice_offer_quantity_max(v)
            elif t == 22:
                offer_issuer_id = _r_invoice_offer_issuer_id(v)
            elif t == 80:
                invreq_chain = _r_invoice_invreq_chain(v)
            elif t == 82:
                invreq_amount = _r_invoice_invreq_amount(v)
            elif t == 84:
                invreq_features = v
            elif t == 86:
                invreq_quantity = _r_invoice_invreq_quantity(v)
            elif t == 88:
                invreq_payer_id = _r_invoice_invreq_payer_id(v)
            elif t == 89:
                invreq_payer_note = _r_invoice_invreq_payer_note(v)
            elif t == 90:
                invreq_paths = _r_invoice_invreq_paths(v)
            elif t == 91:
                invreq_bip_353_name = InvreqBip353Name.decode(v)
            elif t == 160:
                invoice_paths = _r_invoice_invoice_paths(v)
            elif t == 162:
                invoice_blindedpay = _r_invoice_invoice_blindedpay(v)
            elif t == 164:
                invoice_created_at = _r_invoice_invoice_created_at(v)
            elif t == 166:
                invoice_relative_expiry = _r_invoice_invoice_relative_expiry(v)
            elif t == 168:
                invoice_payment_hash = _r_invoice_invoice_payment_hash(v)
            elif t == 170:
                invoice_amount = _r_invoice_invoice_amount(v)
            elif t == 172:
                invoice_fallbacks = _r_invoice_invoice_fallbacks(v)
            elif t == 174:
                invoice_features = v
            elif t == 176:
                invoice_node_id = _r_invoice_invoice_node_id(v)
            elif t == 240:
                signature = _r_invoice_signature(v)
            else:
                unknown.append(check_unknown_record('invoice', t, v))
        if cls is not Invoice:  # a subclass: use its __init__
            return cls(invreq_metadata, offer_chains, offer_metadata, offer_currency, offer_amount, offer_description, offer_features, offer_absolute_expiry, offer_paths, offer_issuer, offer_quantity_max, offer_issuer_id, invreq_chain, invreq_amount, invreq_features, invreq_quantity, invreq_payer_id, invreq_payer_note, invreq_paths, invreq_bip_353_name, invoice_paths, invoice_blindedpay, invoice_created_at, invoice_relative_expiry, invoice_payment_hash, invoice_amount, invoice_fallbacks, invoice_features, invoice_node_id, signature, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20, s21, s22, s23, s24, s25, s26, s27, s28, s29, s30 = _SET_Invoice
        s0(o, invreq_metadata)
        s1(o, offer_chains)
        s2(o, offer_metadata)
        s3(o, offer_currency)
        s4(o, offer_amount)
        s5(o, offer_description)
        s6(o, offer_features)
        s7(o, offer_absolute_expiry)
        s8(o, offer_paths)
        s9(o, offer_issuer)
        s10(o, offer_quantity_max)
        s11(o, offer_issuer_id)
        s12(o, invreq_chain)
        s13(o, invreq_amount)
        s14(o, invreq_features)
        s15(o, invreq_quantity)
        s16(o, invreq_payer_id)
        s17(o, invreq_payer_note)
        s18(o, invreq_paths)
        s19(o, invreq_bip_353_name)
        s20(o, invoice_paths)
        s21(o, invoice_blindedpay)
        s22(o, invoice_created_at)
        s23(o, invoice_relative_expiry)
        s24(o, invoice_payment_hash)
        s25(o, invoice_amount)
        s26(o, invoice_fallbacks)
        s27(o, invoice_features)
        s28(o, invoice_node_id)
        s29(o, signature)
        s30(o, tuple(unknown))
        return o


_SET_Invoice: Final = slot_setters(Invoice)
_EMPTY_Invoice: Final = Invoice()


def _r_invoice_error_erroneous_field(d: bytes) -> int:
    e = len(d)
    p = 0
    f_tlv_fieldnum = decode_tu(d, p, e, 8, 'invoice_error.erroneous_field.tlv_fieldnum')
    p = e
    value: int = f_tlv_fieldnum
    return value


def _w_invoice_error_erroneous_field(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('invoice_error.erroneous_field', exc) from None


def _r_invoice_error_error(d: bytes) -> str:
    e = len(d)
    p = 0
    f_msg = decode_utf8(d[p:e], 'invoice_error.error.msg')
    p = e
    value: str = f_msg
    return value


def _w_invoice_error_error(x: str) -> bytes:
    try:
        x_msg = encode_utf8(x, 'invoice_error.error.msg')
        return x_msg
    except struct.error as exc:
        raise encode_failed('invoice_error.error', exc) from None


@dataclass(frozen=True, slots=True)
class InvoiceError:
    """TLV stream `invoice_error`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'invoice_error'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1, 3, 5})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('erroneous_field', 'tu64', None, None, None, 1),
        Field('suggested_value', 'byte', '...', None, None, 3),
        Field('error', 'utf8', '...', None, None, 5),
    )

    erroneous_field: int | None = None
    suggested_value: bytes | None = None
    error: str | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.erroneous_field is not None:
            records.append((1, _w_invoice_error_erroneous_field(self.erroneous_field)))
        if self.suggested_value is not None:
            records.append((3, self.suggested_value))
        if self.error is not None:
            records.append((5, _w_invoice_error_error(self.error)))
        return encode_tlv_records(records, self.unknown, 'invoice_error')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        erroneous_field: int | None = None
        suggested_value: bytes | None = None
        error: str | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'invoice_error'):
            if t == 1:
                erroneous_field = _r_invoice_error_erroneous_field(v)
            elif t == 3:
                suggested_value = v
            elif t == 5:
                error = _r_invoice_error_error(v)
            else:
                unknown.append(check_unknown_record('invoice_error', t, v))
        if cls is not InvoiceError:  # a subclass: use its __init__
            return cls(erroneous_field, suggested_value, error, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_InvoiceError
        s0(o, erroneous_field)
        s1(o, suggested_value)
        s2(o, error)
        s3(o, tuple(unknown))
        return o


_SET_InvoiceError: Final = slot_setters(InvoiceError)
_EMPTY_InvoiceError: Final = InvoiceError()


def _r_onionmsg_tlv_reply_path(d: bytes) -> BlindedPath:
    e = len(d)
    p = 0
    f_path, p = BlindedPath.read_from(d, p, e)
    if p != e:
        raise trailing('onionmsg_tlv.reply_path', e - p)
    value: BlindedPath = f_path
    return value


def _w_onionmsg_tlv_reply_path(x: BlindedPath) -> bytes:
    try:
        return x.encode()
    except struct.error as exc:
        raise encode_failed('onionmsg_tlv.reply_path', exc) from None


def _r_onionmsg_tlv_invoice_request(d: bytes) -> InvoiceRequest:
    e = len(d)
    p = 0
    f_invreq = InvoiceRequest.decode(d[p:e]) if p < e else _EMPTY_InvoiceRequest
    p = e
    value: InvoiceRequest = f_invreq
    return value


def _w_onionmsg_tlv_invoice_request(x: InvoiceRequest) -> bytes:
    try:
        return x.encode()
    except struct.error as exc:
        raise encode_failed('onionmsg_tlv.invoice_request', exc) from None


def _r_onionmsg_tlv_invoice(d: bytes) -> Invoice:
    e = len(d)
    p = 0
    f_inv = Invoice.decode(d[p:e]) if p < e else _EMPTY_Invoice
    p = e
    value: Invoice = f_inv
    return value


def _w_onionmsg_tlv_invoice(x: Invoice) -> bytes:
    try:
        return x.encode()
    except struct.error as exc:
        raise encode_failed('onionmsg_tlv.invoice', exc) from None


def _r_onionmsg_tlv_invoice_error(d: bytes) -> InvoiceError:
    e = len(d)
    p = 0
    f_inverr = InvoiceError.decode(d[p:e]) if p < e else _EMPTY_InvoiceError
    p = e
    value: InvoiceError = f_inverr
    return value


def _w_onionmsg_tlv_invoice_error(x: InvoiceError) -> bytes:
    try:
        return x.encode()
    except struct.error as exc:
        raise encode_failed('onionmsg_tlv.invoice_error', exc) from None


@dataclass(frozen=True, slots=True)
class OnionmsgTlv:
    """TLV stream `onionmsg_tlv`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'onionmsg_tlv'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({2, 4, 64, 66, 68})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('reply_path', 'blinded_path', None, None, BlindedPath, 2),
        Field('encrypted_recipient_data', 'byte', '...', None, None, 4),
        Field('invoice_request', 'invoice_request', None, None, InvoiceRequest, 64),
        Field('invoice', 'invoice', None, None, Invoice, 66),
        Field('invoice_error', 'invoice_error', None, None, InvoiceError, 68),
    )

    reply_path: BlindedPath | None = None
    encrypted_recipient_data: bytes | None = None
    invoice_request: InvoiceRequest | None = None
    invoice: Invoice | None = None
    invoice_error: InvoiceError | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.reply_path is not None:
            records.append((2, _w_onionmsg_tlv_reply_path(self.reply_path)))
        if self.encrypted_recipient_data is not None:
            records.append((4, self.encrypted_recipient_data))
        if self.invoice_request is not None:
            records.append((64, _w_onionmsg_tlv_invoice_request(self.invoice_request)))
        if self.invoice is not None:
            records.append((66, _w_onionmsg_tlv_invoice(self.invoice)))
        if self.invoice_error is not None:
            records.append((68, _w_onionmsg_tlv_invoice_error(self.invoice_error)))
        return encode_tlv_records(records, self.unknown, 'onionmsg_tlv')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        reply_path: BlindedPath | None = None
        encrypted_recipient_data: bytes | None = None
        invoice_request: InvoiceRequest | None = None
        invoice: Invoice | None = None
        invoice_error: InvoiceError | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'onionmsg_tlv'):
            if t == 2:
                reply_path = _r_onionmsg_tlv_reply_path(v)
            elif t == 4:
                encrypted_recipient_data = v
            elif t == 64:
                invoice_request = _r_onionmsg_tlv_invoice_request(v)
            elif t == 66:
                invoice = _r_onionmsg_tlv_invoice(v)
            elif t == 68:
                invoice_error = _r_onionmsg_tlv_invoice_error(v)
            else:
                unknown.append(check_unknown_record('onionmsg_tlv', t, v))
        if cls is not OnionmsgTlv:  # a subclass: use its __init__
            return cls(reply_path, encrypted_recipient_data, invoice_request, invoice, invoice_error, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5 = _SET_OnionmsgTlv
        s0(o, reply_path)
        s1(o, encrypted_recipient_data)
        s2(o, invoice_request)
        s3(o, invoice)
        s4(o, invoice_error)
        s5(o, tuple(unknown))
        return o


_SET_OnionmsgTlv: Final = slot_setters(OnionmsgTlv)
_EMPTY_OnionmsgTlv: Final = OnionmsgTlv()


@dataclass(frozen=True, slots=True)
class QueryShortChannelIdsTlvs:
    """TLV stream `query_short_channel_ids_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'query_short_channel_ids_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('query_flags', 'query_flags', None, None, QueryFlags, 1),
    )

    query_flags: QueryFlags | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.query_flags is not None:
            records.append((1, self.query_flags.encode()))
        return encode_tlv_records(records, self.unknown, 'query_short_channel_ids_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        query_flags: QueryFlags | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'query_short_channel_ids_tlvs'):
            if t == 1:
                query_flags = QueryFlags.decode(v)
            else:
                unknown.append(check_unknown_record('query_short_channel_ids_tlvs', t, v))
        if cls is not QueryShortChannelIdsTlvs:  # a subclass: use its __init__
            return cls(query_flags, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_QueryShortChannelIdsTlvs
        s0(o, query_flags)
        s1(o, tuple(unknown))
        return o


_SET_QueryShortChannelIdsTlvs: Final = slot_setters(QueryShortChannelIdsTlvs)
_EMPTY_QueryShortChannelIdsTlvs: Final = QueryShortChannelIdsTlvs()


def _r_query_channel_range_tlvs_query_option(d: bytes) -> int:
    e = len(d)
    p = 0
    f_query_option_flags, p = decode_bigsize(d, p, e, 'query_channel_range_tlvs.query_option.query_option_flags')
    if p != e:
        raise trailing('query_channel_range_tlvs.query_option', e - p)
    value: int = f_query_option_flags
    return value


def _w_query_channel_range_tlvs_query_option(x: int) -> bytes:
    try:
        return encode_bigsize(x)
    except struct.error as exc:
        raise encode_failed('query_channel_range_tlvs.query_option', exc) from None


@dataclass(frozen=True, slots=True)
class QueryChannelRangeTlvs:
    """TLV stream `query_channel_range_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'query_channel_range_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('query_option', 'bigsize', None, None, None, 1),
    )

    query_option: int | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.query_option is not None:
            records.append((1, _w_query_channel_range_tlvs_query_option(self.query_option)))
        return encode_tlv_records(records, self.unknown, 'query_channel_range_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        query_option: int | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'query_channel_range_tlvs'):
            if t == 1:
                query_option = _r_query_channel_range_tlvs_query_option(v)
            else:
                unknown.append(check_unknown_record('query_channel_range_tlvs', t, v))
        if cls is not QueryChannelRangeTlvs:  # a subclass: use its __init__
            return cls(query_option, tuple(unknown))
        o = object.__new__(cls)
        s0, s1 = _SET_QueryChannelRangeTlvs
        s0(o, query_option)
        s1(o, tuple(unknown))
        return o


_SET_QueryChannelRangeTlvs: Final = slot_setters(QueryChannelRangeTlvs)
_EMPTY_QueryChannelRangeTlvs: Final = QueryChannelRangeTlvs()


def _r_reply_channel_range_tlvs_checksums_tlv(d: bytes) -> tuple[ChannelUpdateChecksums, ...]:
    e = len(d)
    p = 0
    items_checksums: list[ChannelUpdateChecksums] = []
    while p < e:
        item_checksums, p = ChannelUpdateChecksums.read_from(d, p, e)
        items_checksums.append(item_checksums)
    f_checksums = tuple(items_checksums)
    value: tuple[ChannelUpdateChecksums, ...] = f_checksums
    return value


def _w_reply_channel_range_tlvs_checksums_tlv(x: tuple[ChannelUpdateChecksums, ...]) -> bytes:
    try:
        x_checksums = b"".join([item.encode() for item in x])
        return x_checksums
    except struct.error as exc:
        raise encode_failed('reply_channel_range_tlvs.checksums_tlv', exc) from None


@dataclass(frozen=True, slots=True)
class ReplyChannelRangeTlvs:
    """TLV stream `reply_channel_range_tlvs`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'reply_channel_range_tlvs'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({1, 3})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('timestamps_tlv', 'timestamps_tlv', None, None, TimestampsTlv, 1),
        Field('checksums_tlv', 'channel_update_checksums', '...', None, ChannelUpdateChecksums, 3),
    )

    timestamps_tlv: TimestampsTlv | None = None
    checksums_tlv: tuple[ChannelUpdateChecksums, ...] | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.timestamps_tlv is not None:
            records.append((1, self.timestamps_tlv.encode()))
        if self.checksums_tlv is not None:
            records.append((3, _w_reply_channel_range_tlvs_checksums_tlv(self.checksums_tlv)))
        return encode_tlv_records(records, self.unknown, 'reply_channel_range_tlvs')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        timestamps_tlv: TimestampsTlv | None = None
        checksums_tlv: tuple[ChannelUpdateChecksums, ...] | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'reply_channel_range_tlvs'):
            if t == 1:
                timestamps_tlv = TimestampsTlv.decode(v)
            elif t == 3:
                checksums_tlv = _r_reply_channel_range_tlvs_checksums_tlv(v)
            else:
                unknown.append(check_unknown_record('reply_channel_range_tlvs', t, v))
        if cls is not ReplyChannelRangeTlvs:  # a subclass: use its __init__
            return cls(timestamps_tlv, checksums_tlv, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2 = _SET_ReplyChannelRangeTlvs
        s0(o, timestamps_tlv)
        s1(o, checksums_tlv)
        s2(o, tuple(unknown))
        return o


_SET_ReplyChannelRangeTlvs: Final = slot_setters(ReplyChannelRangeTlvs)
_EMPTY_ReplyChannelRangeTlvs: Final = ReplyChannelRangeTlvs()


def _r_offer_offer_chains(d: bytes) -> tuple[bytes, ...]:
    e = len(d)
    p = 0
    f_chains = read_rest_chunks(d, p, e, 32, 'offer.offer_chains.chains')
    p = e
    value: tuple[bytes, ...] = f_chains
    return value


def _w_offer_offer_chains(x: tuple[bytes, ...]) -> bytes:
    try:
        x_chains = join_fixed(x, 32, 'offer.offer_chains.chains')
        return x_chains
    except struct.error as exc:
        raise encode_failed('offer.offer_chains', exc) from None


def _r_offer_offer_currency(d: bytes) -> str:
    e = len(d)
    p = 0
    f_iso4217 = decode_utf8(d[p:e], 'offer.offer_currency.iso4217')
    p = e
    value: str = f_iso4217
    return value


def _w_offer_offer_currency(x: str) -> bytes:
    try:
        x_iso4217 = encode_utf8(x, 'offer.offer_currency.iso4217')
        return x_iso4217
    except struct.error as exc:
        raise encode_failed('offer.offer_currency', exc) from None


def _r_offer_offer_amount(d: bytes) -> int:
    e = len(d)
    p = 0
    f_amount = decode_tu(d, p, e, 8, 'offer.offer_amount.amount')
    p = e
    value: int = f_amount
    return value


def _w_offer_offer_amount(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('offer.offer_amount', exc) from None


def _r_offer_offer_description(d: bytes) -> str:
    e = len(d)
    p = 0
    f_description = decode_utf8(d[p:e], 'offer.offer_description.description')
    p = e
    value: str = f_description
    return value


def _w_offer_offer_description(x: str) -> bytes:
    try:
        x_description = encode_utf8(x, 'offer.offer_description.description')
        return x_description
    except struct.error as exc:
        raise encode_failed('offer.offer_description', exc) from None


def _r_offer_offer_absolute_expiry(d: bytes) -> int:
    e = len(d)
    p = 0
    f_seconds_from_epoch = decode_tu(d, p, e, 8, 'offer.offer_absolute_expiry.seconds_from_epoch')
    p = e
    value: int = f_seconds_from_epoch
    return value


def _w_offer_offer_absolute_expiry(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('offer.offer_absolute_expiry', exc) from None


def _r_offer_offer_paths(d: bytes) -> tuple[BlindedPath, ...]:
    e = len(d)
    p = 0
    items_paths: list[BlindedPath] = []
    while p < e:
        item_paths, p = BlindedPath.read_from(d, p, e)
        items_paths.append(item_paths)
    f_paths = tuple(items_paths)
    value: tuple[BlindedPath, ...] = f_paths
    return value


def _w_offer_offer_paths(x: tuple[BlindedPath, ...]) -> bytes:
    try:
        x_paths = b"".join([item.encode() for item in x])
        return x_paths
    except struct.error as exc:
        raise encode_failed('offer.offer_paths', exc) from None


def _r_offer_offer_issuer(d: bytes) -> str:
    e = len(d)
    p = 0
    f_issuer = decode_utf8(d[p:e], 'offer.offer_issuer.issuer')
    p = e
    value: str = f_issuer
    return value


def _w_offer_offer_issuer(x: str) -> bytes:
    try:
        x_issuer = encode_utf8(x, 'offer.offer_issuer.issuer')
        return x_issuer
    except struct.error as exc:
        raise encode_failed('offer.offer_issuer', exc) from None


def _r_offer_offer_quantity_max(d: bytes) -> int:
    e = len(d)
    p = 0
    f_max = decode_tu(d, p, e, 8, 'offer.offer_quantity_max.max')
    p = e
    value: int = f_max
    return value


def _w_offer_offer_quantity_max(x: int) -> bytes:
    try:
        return encode_tu(x, 8)
    except struct.error as exc:
        raise encode_failed('offer.offer_quantity_max', exc) from None


def _r_offer_offer_issuer_id(d: bytes) -> bytes:
    e = len(d)
    if e < 33:
        raise truncated('offer.offer_issuer_id', 33, e)
    f_id, = _S19.unpack_from(d, 0)
    if (f_id[0] | 1) != 3:
        raise bad_point('offer.offer_issuer_id.id')
    if 33 != e:
        raise trailing('offer.offer_issuer_id', e - 33)
    value: bytes = f_id
    return value


def _w_offer_offer_issuer_id(x: bytes) -> bytes:
    try:
        return _S19.pack(check_point(x, 'offer.offer_issuer_id.id'))
    except struct.error as exc:
        raise encode_failed('offer.offer_issuer_id', exc) from None


@dataclass(frozen=True, slots=True)
class Offer:
    """TLV stream `offer`; `unknown` keeps the records the spec does not define
    (odd ones, and custom ones registered with amiko.wire.tlv.register_tlv_record)."""

    NAME: ClassVar[str] = 'offer'
    KNOWN_TYPES: ClassVar[frozenset[int]] = frozenset({2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22})
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('offer_chains', 'chain_hash', '...', None, None, 2),
        Field('offer_metadata', 'byte', '...', None, None, 4),
        Field('offer_currency', 'utf8', '...', None, None, 6),
        Field('offer_amount', 'tu64', None, None, None, 8),
        Field('offer_description', 'utf8', '...', None, None, 10),
        Field('offer_features', 'byte', '...', None, None, 12),
        Field('offer_absolute_expiry', 'tu64', None, None, None, 14),
        Field('offer_paths', 'blinded_path', '...', None, BlindedPath, 16),
        Field('offer_issuer', 'utf8', '...', None, None, 18),
        Field('offer_quantity_max', 'tu64', None, None, None, 20),
        Field('offer_issuer_id', 'point', None, None, None, 22),
    )

    offer_chains: tuple[bytes, ...] | None = None
    offer_metadata: bytes | None = None
    offer_currency: str | None = None
    offer_amount: int | None = None
    offer_description: str | None = None
    offer_features: bytes | None = None
    offer_absolute_expiry: int | None = None
    offer_paths: tuple[BlindedPath, ...] | None = None
    offer_issuer: str | None = None
    offer_quantity_max: int | None = None
    offer_issuer_id: bytes | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()

    def encode(self) -> bytes:
        records: list[tuple[int, bytes]] = []
        if self.offer_chains is not None:
            records.append((2, _w_offer_offer_chains(self.offer_chains)))
        if self.offer_metadata is not None:
            records.append((4, self.offer_metadata))
        if self.offer_currency is not None:
            records.append((6, _w_offer_offer_currency(self.offer_currency)))
        if self.offer_amount is not None:
            records.append((8, _w_offer_offer_amount(self.offer_amount)))
        if self.offer_description is not None:
            records.append((10, _w_offer_offer_description(self.offer_description)))
        if self.offer_features is not None:
            records.append((12, self.offer_features))
        if self.offer_absolute_expiry is not None:
            records.append((14, _w_offer_offer_absolute_expiry(self.offer_absolute_expiry)))
        if self.offer_paths is not None:
            records.append((16, _w_offer_offer_paths(self.offer_paths)))
        if self.offer_issuer is not None:
            records.append((18, _w_offer_offer_issuer(self.offer_issuer)))
        if self.offer_quantity_max is not None:
            records.append((20, _w_offer_offer_quantity_max(self.offer_quantity_max)))
        if self.offer_issuer_id is not None:
            records.append((22, _w_offer_offer_issuer_id(self.offer_issuer_id)))
        return encode_tlv_records(records, self.unknown, 'offer')

    @classmethod
    def decode(cls, data: bytes) -> Self:
        offer_chains: tuple[bytes, ...] | None = None
        offer_metadata: bytes | None = None
        offer_currency: str | None = None
        offer_amount: int | None = None
        offer_description: str | None = None
        offer_features: bytes | None = None
        offer_absolute_expiry: int | None = None
        offer_paths: tuple[BlindedPath, ...] | None = None
        offer_issuer: str | None = None
        offer_quantity_max: int | None = None
        offer_issuer_id: bytes | None = None
        unknown: list[tuple[int, bytes]] = []
        for t, v in split_tlv_stream(data, 'offer'):
            if t == 2:
                offer_chains = _r_offer_offer_chains(v)
            elif t == 4:
                offer_metadata = v
            elif t == 6:
                offer_currency = _r_offer_offer_currency(v)
            elif t == 8:
                offer_amount = _r_offer_offer_amount(v)
            elif t == 10:
                offer_description = _r_offer_offer_description(v)
            elif t == 12:
                offer_features = v
            elif t == 14:
                offer_absolute_expiry = _r_offer_offer_absolute_expiry(v)
            elif t == 16:
                offer_paths = _r_offer_offer_paths(v)
            elif t == 18:
                offer_issuer = _r_offer_offer_issuer(v)
            elif t == 20:
                offer_quantity_max = _r_offer_offer_quantity_max(v)
            elif t == 22:
                offer_issuer_id = _r_offer_offer_issuer_id(v)
            else:
                unknown.append(check_unknown_record('offer', t, v))
        if cls is not Offer:  # a subclass: use its __init__
            return cls(offer_chains, offer_metadata, offer_currency, offer_amount, offer_description, offer_features, offer_absolute_expiry, offer_paths, offer_issuer, offer_quantity_max, offer_issuer_id, tuple(unknown))
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11 = _SET_Offer
        s0(o, offer_chains)
        s1(o, offer_metadata)
        s2(o, offer_currency)
        s3(o, offer_amount)
        s4(o, offer_description)
        s5(o, offer_features)
        s6(o, offer_absolute_expiry)
        s7(o, offer_paths)
        s8(o, offer_issuer)
        s9(o, offer_quantity_max)
        s10(o, offer_issuer_id)
        s11(o, tuple(unknown))
        return o


_SET_Offer: Final = slot_setters(Offer)
_EMPTY_Offer: Final = Offer()


@dataclass(frozen=True, slots=True)
class Init:
    """Message `init` (type 16)."""

    TYPE: ClassVar[int] = 16
    NAME: ClassVar[str] = 'init'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('globalfeatures', 'byte', 'gflen', 'u16', None, None),
        Field('features', 'byte', 'flen', 'u16', None, None),
        Field('tlvs', 'init_tlvs', None, None, InitTlvs, None),
    )

    globalfeatures: bytes
    features: bytes
    tlvs: InitTlvs = _EMPTY_InitTlvs

    def encode(self) -> bytes:
        try:
            x_globalfeatures = self.globalfeatures
            x_features = self.features
            return b"".join((
                _S20.pack(16, len(x_globalfeatures)),
                x_globalfeatures,
                _S0.pack(len(x_features)),
                x_features,
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('init', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 2:
            raise truncated('init', 2, e)
        n_gflen, = _S0.unpack_from(d, 0)
        p = 2
        q = p + n_gflen
        if q > e:
            raise truncated('init.globalfeatures', n_gflen, e - p)
        f_globalfeatures = d[p:q]
        p = q
        if p + 2 > e:
            raise truncated('init', 2, e - p)
        n_flen, = _S0.unpack_from(d, p)
        p += 2
        q = p + n_flen
        if q > e:
            raise truncated('init.features', n_flen, e - p)
        f_features = d[p:q]
        p = q
        f_tlvs = InitTlvs.decode(d[p:e]) if p < e else _EMPTY_InitTlvs
        p = e
        if cls is not Init:  # a subclass: use its __init__
            return cls(f_globalfeatures, f_features, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_Init
        s0(o, f_globalfeatures)
        s1(o, f_features)
        s2(o, f_tlvs)
        return o


_SET_Init: Final = slot_setters(Init)


@dataclass(frozen=True, slots=True)
class Error:
    """Message `error` (type 17)."""

    TYPE: ClassVar[int] = 17
    NAME: ClassVar[str] = 'error'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('data', 'byte', 'len', 'u16', None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    data: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_data = self.data
            return b"".join((
                _S21.pack(17, check_len(self.channel_id, 32, 'error.channel_id'), len(x_data)),
                x_data,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('error', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 34:
            raise truncated('error', 34, e)
        f_channel_id, n_len = _S22.unpack_from(d, 0)
        p = 34
        q = p + n_len
        if q > e:
            raise truncated('error.data', n_len, e - p)
        f_data = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not Error:  # a subclass: use its __init__
            return cls(f_channel_id, f_data, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_Error
        s0(o, f_channel_id)
        s1(o, f_data)
        s2(o, f_extension)
        return o


_SET_Error: Final = slot_setters(Error)


@dataclass(frozen=True, slots=True)
class WarningMsg:
    """Message `warning` (type 1)."""

    TYPE: ClassVar[int] = 1
    NAME: ClassVar[str] = 'warning'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('data', 'byte', 'len', 'u16', None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    data: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_data = self.data
            return b"".join((
                _S21.pack(1, check_len(self.channel_id, 32, 'warning.channel_id'), len(x_data)),
                x_data,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('warning', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 34:
            raise truncated('warning', 34, e)
        f_channel_id, n_len = _S22.unpack_from(d, 0)
        p = 34
        q = p + n_len
        if q > e:
            raise truncated('warning.data', n_len, e - p)
        f_data = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not WarningMsg:  # a subclass: use its __init__
            return cls(f_channel_id, f_data, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_WarningMsg
        s0(o, f_channel_id)
        s1(o, f_data)
        s2(o, f_extension)
        return o


_SET_WarningMsg: Final = slot_setters(WarningMsg)


@dataclass(frozen=True, slots=True)
class Ping:
    """Message `ping` (type 18)."""

    TYPE: ClassVar[int] = 18
    NAME: ClassVar[str] = 'ping'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('num_pong_bytes', 'u16', None, None, None, None),
        Field('ignored', 'byte', 'byteslen', 'u16', None, None),
        Field('extension', 'extension'),
    )

    num_pong_bytes: int
    ignored: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_ignored = self.ignored
            return b"".join((
                _S23.pack(18, self.num_pong_bytes, len(x_ignored)),
                x_ignored,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('ping', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 4:
            raise truncated('ping', 4, e)
        f_num_pong_bytes, n_byteslen = _S20.unpack_from(d, 0)
        p = 4
        q = p + n_byteslen
        if q > e:
            raise truncated('ping.ignored', n_byteslen, e - p)
        f_ignored = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not Ping:  # a subclass: use its __init__
            return cls(f_num_pong_bytes, f_ignored, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_Ping
        s0(o, f_num_pong_bytes)
        s1(o, f_ignored)
        s2(o, f_extension)
        return o


_SET_Ping: Final = slot_setters(Ping)


@dataclass(frozen=True, slots=True)
class Pong:
    """Message `pong` (type 19)."""

    TYPE: ClassVar[int] = 19
    NAME: ClassVar[str] = 'pong'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('ignored', 'byte', 'byteslen', 'u16', None, None),
        Field('extension', 'extension'),
    )

    ignored: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_ignored = self.ignored
            return b"".join((
                _S20.pack(19, len(x_ignored)),
                x_ignored,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('pong', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 2:
            raise truncated('pong', 2, e)
        n_byteslen, = _S0.unpack_from(d, 0)
        p = 2
        q = p + n_byteslen
        if q > e:
            raise truncated('pong.ignored', n_byteslen, e - p)
        f_ignored = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not Pong:  # a subclass: use its __init__
            return cls(f_ignored, f_extension)
        o = object.__new__(cls)
        s0, s1 = _SET_Pong
        s0(o, f_ignored)
        s1(o, f_extension)
        return o


_SET_Pong: Final = slot_setters(Pong)


@dataclass(frozen=True, slots=True)
class PeerStorage:
    """Message `peer_storage` (type 7)."""

    TYPE: ClassVar[int] = 7
    NAME: ClassVar[str] = 'peer_storage'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('blob', 'byte', 'length', 'u16', None, None),
        Field('extension', 'extension'),
    )

    blob: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_blob = self.blob
            return b"".join((
                _S20.pack(7, len(x_blob)),
                x_blob,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('peer_storage', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 2:
            raise truncated('peer_storage', 2, e)
        n_length, = _S0.unpack_from(d, 0)
        p = 2
        q = p + n_length
        if q > e:
            raise truncated('peer_storage.blob', n_length, e - p)
        f_blob = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not PeerStorage:  # a subclass: use its __init__
            return cls(f_blob, f_extension)
        o = object.__new__(cls)
        s0, s1 = _SET_PeerStorage
        s0(o, f_blob)
        s1(o, f_extension)
        return o


_SET_PeerStorage: Final = slot_setters(PeerStorage)


@dataclass(frozen=True, slots=True)
class PeerStorageRetrieval:
    """Message `peer_storage_retrieval` (type 9)."""

    TYPE: ClassVar[int] = 9
    NAME: ClassVar[str] = 'peer_storage_retrieval'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('blob', 'byte', 'length', 'u16', None, None),
        Field('extension', 'extension'),
    )

    blob: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_blob = self.blob
            return b"".join((
                _S20.pack(9, len(x_blob)),
                x_blob,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('peer_storage_retrieval', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 2:
            raise truncated('peer_storage_retrieval', 2, e)
        n_length, = _S0.unpack_from(d, 0)
        p = 2
        q = p + n_length
        if q > e:
            raise truncated('peer_storage_retrieval.blob', n_length, e - p)
        f_blob = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not PeerStorageRetrieval:  # a subclass: use its __init__
            return cls(f_blob, f_extension)
        o = object.__new__(cls)
        s0, s1 = _SET_PeerStorageRetrieval
        s0(o, f_blob)
        s1(o, f_extension)
        return o


_SET_PeerStorageRetrieval: Final = slot_setters(PeerStorageRetrieval)


@dataclass(frozen=True, slots=True)
class TxAddInput:
    """Message `tx_add_input` (type 66)."""

    TYPE: ClassVar[int] = 66
    NAME: ClassVar[str] = 'tx_add_input'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('serial_id', 'u64', None, None, None, None),
        Field('prevtx', 'byte', 'prevtx_len', 'u16', None, None),
        Field('prevtx_vout', 'u32', None, None, None, None),
        Field('sequence', 'u32', None, None, None, None),
        Field('tlvs', 'tx_add_input_tlvs', None, None, TxAddInputTlvs, None),
    )

    channel_id: ChannelId
    serial_id: int
    prevtx: bytes
    prevtx_vout: int
    sequence: int
    tlvs: TxAddInputTlvs = _EMPTY_TxAddInputTlvs

    def encode(self) -> bytes:
        try:
            x_prevtx = self.prevtx
            return b"".join((
                _S24.pack(66, check_len(self.channel_id, 32, 'tx_add_input.channel_id'), self.serial_id, len(x_prevtx)),
                x_prevtx,
                _S6.pack(self.prevtx_vout, self.sequence),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('tx_add_input', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 42:
            raise truncated('tx_add_input', 42, e)
        f_channel_id, f_serial_id, n_prevtx_len = _S25.unpack_from(d, 0)
        p = 42
        q = p + n_prevtx_len
        if q > e:
            raise truncated('tx_add_input.prevtx', n_prevtx_len, e - p)
        f_prevtx = d[p:q]
        p = q
        if p + 8 > e:
            raise truncated('tx_add_input', 8, e - p)
        f_prevtx_vout, f_sequence = _S6.unpack_from(d, p)
        p += 8
        f_tlvs = TxAddInputTlvs.decode(d[p:e]) if p < e else _EMPTY_TxAddInputTlvs
        p = e
        if cls is not TxAddInput:  # a subclass: use its __init__
            return cls(f_channel_id, f_serial_id, f_prevtx, f_prevtx_vout, f_sequence, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5 = _SET_TxAddInput
        s0(o, f_channel_id)
        s1(o, f_serial_id)
        s2(o, f_prevtx)
        s3(o, f_prevtx_vout)
        s4(o, f_sequence)
        s5(o, f_tlvs)
        return o


_SET_TxAddInput: Final = slot_setters(TxAddInput)


@dataclass(frozen=True, slots=True)
class TxAddOutput:
    """Message `tx_add_output` (type 67)."""

    TYPE: ClassVar[int] = 67
    NAME: ClassVar[str] = 'tx_add_output'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('serial_id', 'u64', None, None, None, None),
        Field('sats', 'u64', None, None, None, None),
        Field('script', 'byte', 'scriptlen', 'u16', None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    serial_id: int
    sats: Sat
    script: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_script = self.script
            return b"".join((
                _S26.pack(67, check_len(self.channel_id, 32, 'tx_add_output.channel_id'), self.serial_id, self.sats, len(x_script)),
                x_script,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('tx_add_output', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 50:
            raise truncated('tx_add_output', 50, e)
        f_channel_id, f_serial_id, f_sats, n_scriptlen = _S27.unpack_from(d, 0)
        p = 50
        q = p + n_scriptlen
        if q > e:
            raise truncated('tx_add_output.script', n_scriptlen, e - p)
        f_script = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not TxAddOutput:  # a subclass: use its __init__
            return cls(f_channel_id, f_serial_id, f_sats, f_script, f_extension)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4 = _SET_TxAddOutput
        s0(o, f_channel_id)
        s1(o, f_serial_id)
        s2(o, f_sats)
        s3(o, f_script)
        s4(o, f_extension)
        return o


_SET_TxAddOutput: Final = slot_setters(TxAddOutput)


@dataclass(frozen=True, slots=True)
class TxRemoveInput:
    """Message `tx_remove_input` (type 68)."""

    TYPE: ClassVar[int] = 68
    NAME: ClassVar[str] = 'tx_remove_input'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('serial_id', 'u64', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    serial_id: int
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S28.pack(68, check_len(self.channel_id, 32, 'tx_remove_input.channel_id'), self.serial_id),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('tx_remove_input', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 40:
            raise truncated('tx_remove_input', 40, e)
        f_channel_id, f_serial_id = _S29.unpack_from(d, 0)
        f_extension = d[40:] if e > 40 else b""
        if cls is not TxRemoveInput:  # a subclass: use its __init__
            return cls(f_channel_id, f_serial_id, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_TxRemoveInput
        s0(o, f_channel_id)
        s1(o, f_serial_id)
        s2(o, f_extension)
        return o


_SET_TxRemoveInput: Final = slot_setters(TxRemoveInput)


@dataclass(frozen=True, slots=True)
class TxRemoveOutput:
    """Message `tx_remove_output` (type 69)."""

    TYPE: ClassVar[int] = 69
    NAME: ClassVar[str] = 'tx_remove_output'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('serial_id', 'u64', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    serial_id: int
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S28.pack(69, check_len(self.channel_id, 32, 'tx_remove_output.channel_id'), self.serial_id),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('tx_remove_output', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 40:
            raise truncated('tx_remove_output', 40, e)
        f_channel_id, f_serial_id = _S29.unpack_from(d, 0)
        f_extension = d[40:] if e > 40 else b""
        if cls is not TxRemoveOutput:  # a subclass: use its __init__
            return cls(f_channel_id, f_serial_id, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_TxRemoveOutput
        s0(o, f_channel_id)
        s1(o, f_serial_id)
        s2(o, f_extension)
        return o


_SET_TxRemoveOutput: Final = slot_setters(TxRemoveOutput)


@dataclass(frozen=True, slots=True)
class TxComplete:
    """Message `tx_complete` (type 70)."""

    TYPE: ClassVar[int] = 70
    NAME: ClassVar[str] = 'tx_complete'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S30.pack(70, check_len(self.channel_id, 32, 'tx_complete.channel_id')),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('tx_complete', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 32:
            raise truncated('tx_complete', 32, e)
        f_channel_id, = _S5.unpack_from(d, 0)
        f_extension = d[32:] if e > 32 else b""
        if cls is not TxComplete:  # a subclass: use its __init__
            return cls(f_channel_id, f_extension)
        o = object.__new__(cls)
        s0, s1 = _SET_TxComplete
        s0(o, f_channel_id)
        s1(o, f_extension)
        return o


_SET_TxComplete: Final = slot_setters(TxComplete)


@dataclass(frozen=True, slots=True)
class TxSignatures:
    """Message `tx_signatures` (type 71)."""

    TYPE: ClassVar[int] = 71
    NAME: ClassVar[str] = 'tx_signatures'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('txid', 'sha256', None, None, None, None),
        Field('witnesses', 'witness', 'num_witnesses', 'u16', Witness, None),
        Field('tlvs', 'tx_signatures_tlvs', None, None, TxSignaturesTlvs, None),
    )

    channel_id: ChannelId
    txid: bytes
    witnesses: tuple[Witness, ...]
    tlvs: TxSignaturesTlvs = _EMPTY_TxSignaturesTlvs

    def encode(self) -> bytes:
        try:
            x_witnesses = b"".join([item.encode() for item in self.witnesses])
            return b"".join((
                _S31.pack(71, check_len(self.channel_id, 32, 'tx_signatures.channel_id'), check_len(self.txid, 32, 'tx_signatures.txid'), len(self.witnesses)),
                x_witnesses,
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('tx_signatures', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 66:
            raise truncated('tx_signatures', 66, e)
        f_channel_id, f_txid, n_num_witnesses = _S32.unpack_from(d, 0)
        p = 66
        items_witnesses: list[Witness] = []
        for _ in range(n_num_witnesses):
            item_witnesses, p = Witness.read_from(d, p, e)
            items_witnesses.append(item_witnesses)
        f_witnesses = tuple(items_witnesses)
        f_tlvs = TxSignaturesTlvs.decode(d[p:e]) if p < e else _EMPTY_TxSignaturesTlvs
        p = e
        if cls is not TxSignatures:  # a subclass: use its __init__
            return cls(f_channel_id, f_txid, f_witnesses, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_TxSignatures
        s0(o, f_channel_id)
        s1(o, f_txid)
        s2(o, f_witnesses)
        s3(o, f_tlvs)
        return o


_SET_TxSignatures: Final = slot_setters(TxSignatures)


@dataclass(frozen=True, slots=True)
class TxInitRbf:
    """Message `tx_init_rbf` (type 72)."""

    TYPE: ClassVar[int] = 72
    NAME: ClassVar[str] = 'tx_init_rbf'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('locktime', 'u32', None, None, None, None),
        Field('feerate', 'u32', None, None, None, None),
        Field('tlvs', 'tx_init_rbf_tlvs', None, None, TxInitRbfTlvs, None),
    )

    channel_id: ChannelId
    locktime: int
    feerate: int
    tlvs: TxInitRbfTlvs = _EMPTY_TxInitRbfTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S33.pack(72, check_len(self.channel_id, 32, 'tx_init_rbf.channel_id'), self.locktime, self.feerate),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('tx_init_rbf', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 40:
            raise truncated('tx_init_rbf', 40, e)
        f_channel_id, f_locktime, f_feerate = _S34.unpack_from(d, 0)
        p = 40
        f_tlvs = TxInitRbfTlvs.decode(d[p:e]) if p < e else _EMPTY_TxInitRbfTlvs
        p = e
        if cls is not TxInitRbf:  # a subclass: use its __init__
            return cls(f_channel_id, f_locktime, f_feerate, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_TxInitRbf
        s0(o, f_channel_id)
        s1(o, f_locktime)
        s2(o, f_feerate)
        s3(o, f_tlvs)
        return o


_SET_TxInitRbf: Final = slot_setters(TxInitRbf)


@dataclass(frozen=True, slots=True)
class TxAckRbf:
    """Message `tx_ack_rbf` (type 73)."""

    TYPE: ClassVar[int] = 73
    NAME: ClassVar[str] = 'tx_ack_rbf'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('tlvs', 'tx_ack_rbf_tlvs', None, None, TxAckRbfTlvs, None),
    )

    channel_id: ChannelId
    tlvs: TxAckRbfTlvs = _EMPTY_TxAckRbfTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S30.pack(73, check_len(self.channel_id, 32, 'tx_ack_rbf.channel_id')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('tx_ack_rbf', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 32:
            raise truncated('tx_ack_rbf', 32, e)
        f_channel_id, = _S5.unpack_from(d, 0)
        p = 32
        f_tlvs = TxAckRbfTlvs.decode(d[p:e]) if p < e else _EMPTY_TxAckRbfTlvs
        p = e
        if cls is not TxAckRbf:  # a subclass: use its __init__
            return cls(f_channel_id, f_tlvs)
        o = object.__new__(cls)
        s0, s1 = _SET_TxAckRbf
        s0(o, f_channel_id)
        s1(o, f_tlvs)
        return o


_SET_TxAckRbf: Final = slot_setters(TxAckRbf)


@dataclass(frozen=True, slots=True)
class TxAbort:
    """Message `tx_abort` (type 74)."""

    TYPE: ClassVar[int] = 74
    NAME: ClassVar[str] = 'tx_abort'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('data', 'byte', 'len', 'u16', None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    data: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_data = self.data
            return b"".join((
                _S21.pack(74, check_len(self.channel_id, 32, 'tx_abort.channel_id'), len(x_data)),
                x_data,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('tx_abort', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 34:
            raise truncated('tx_abort', 34, e)
        f_channel_id, n_len = _S22.unpack_from(d, 0)
        p = 34
        q = p + n_len
        if q > e:
            raise truncated('tx_abort.data', n_len, e - p)
        f_data = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not TxAbort:  # a subclass: use its __init__
            return cls(f_channel_id, f_data, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_TxAbort
        s0(o, f_channel_id)
        s1(o, f_data)
        s2(o, f_extension)
        return o


_SET_TxAbort: Final = slot_setters(TxAbort)


@dataclass(frozen=True, slots=True)
class OpenChannel:
    """Message `open_channel` (type 32)."""

    TYPE: ClassVar[int] = 32
    NAME: ClassVar[str] = 'open_channel'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'temporary_channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('chain_hash', 'chain_hash', None, None, None, None),
        Field('temporary_channel_id', 'byte', 32, None, None, None),
        Field('funding_satoshis', 'u64', None, None, None, None),
        Field('push_msat', 'u64', None, None, None, None),
        Field('dust_limit_satoshis', 'u64', None, None, None, None),
        Field('max_htlc_value_in_flight_msat', 'u64', None, None, None, None),
        Field('channel_reserve_satoshis', 'u64', None, None, None, None),
        Field('htlc_minimum_msat', 'u64', None, None, None, None),
        Field('feerate_per_kw', 'u32', None, None, None, None),
        Field('to_self_delay', 'u16', None, None, None, None),
        Field('max_accepted_htlcs', 'u16', None, None, None, None),
        Field('funding_pubkey', 'point', None, None, None, None),
        Field('revocation_basepoint', 'point', None, None, None, None),
        Field('payment_basepoint', 'point', None, None, None, None),
        Field('delayed_payment_basepoint', 'point', None, None, None, None),
        Field('htlc_basepoint', 'point', None, None, None, None),
        Field('first_per_commitment_point', 'point', None, None, None, None),
        Field('channel_flags', 'byte', None, None, None, None),
        Field('tlvs', 'open_channel_tlvs', None, None, OpenChannelTlvs, None),
    )

    chain_hash: bytes
    temporary_channel_id: ChannelId
    funding_satoshis: Sat
    push_msat: Msat
    dust_limit_satoshis: Sat
    max_htlc_value_in_flight_msat: Msat
    channel_reserve_satoshis: Sat
    htlc_minimum_msat: Msat
    feerate_per_kw: int
    to_self_delay: int
    max_accepted_htlcs: int
    funding_pubkey: bytes
    revocation_basepoint: bytes
    payment_basepoint: bytes
    delayed_payment_basepoint: bytes
    htlc_basepoint: bytes
    first_per_commitment_point: bytes
    channel_flags: int
    tlvs: OpenChannelTlvs = _EMPTY_OpenChannelTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S35.pack(32, check_len(self.chain_hash, 32, 'open_channel.chain_hash'), check_len(self.temporary_channel_id, 32, 'open_channel.temporary_channel_id'), self.funding_satoshis, self.push_msat, self.dust_limit_satoshis, self.max_htlc_value_in_flight_msat, self.channel_reserve_satoshis, self.htlc_minimum_msat, self.feerate_per_kw, self.to_self_delay, self.max_accepted_htlcs, check_point(self.funding_pubkey, 'open_channel.funding_pubkey'), check_point(self.revocation_basepoint, 'open_channel.revocation_basepoint'), check_point(self.payment_basepoint, 'open_channel.payment_basepoint'), check_point(self.delayed_payment_basepoint, 'open_channel.delayed_payment_basepoint'), check_point(self.htlc_basepoint, 'open_channel.htlc_basepoint'), check_point(self.first_per_commitment_point, 'open_channel.first_per_commitment_point'), self.channel_flags),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('open_channel', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 319:
            raise truncated('open_channel', 319, e)
        f_chain_hash, f_temporary_channel_id, f_funding_satoshis, f_push_msat, f_dust_limit_satoshis, f_max_htlc_value_in_flight_msat, f_channel_reserve_satoshis, f_htlc_minimum_msat, f_feerate_per_kw, f_to_self_delay, f_max_accepted_htlcs, f_funding_pubkey, f_revocation_basepoint, f_payment_basepoint, f_delayed_payment_basepoint, f_htlc_basepoint, f_first_per_commitment_point, f_channel_flags = _S36.unpack_from(d, 0)
        if (f_funding_pubkey[0] | 1) != 3:
            raise bad_point('open_channel.funding_pubkey')
        if (f_revocation_basepoint[0] | 1) != 3:
            raise bad_point('open_channel.revocation_basepoint')
        if (f_payment_basepoint[0] | 1) != 3:
            raise bad_point('open_channel.payment_basepoint')
        if (f_delayed_payment_basepoint[0] | 1) != 3:
            raise bad_point('open_channel.delayed_payment_basepoint')
        if (f_htlc_basepoint[0] | 1) != 3:
            raise bad_point('open_channel.htlc_basepoint')
        if (f_first_per_commitment_point[0] | 1) != 3:
            raise bad_point('open_channel.first_per_commitment_point')
        p = 319
        f_tlvs = OpenChannelTlvs.decode(d[p:e]) if p < e else _EMPTY_OpenChannelTlvs
        p = e
        if cls is not OpenChannel:  # a subclass: use its __init__
            return cls(f_chain_hash, f_temporary_channel_id, f_funding_satoshis, f_push_msat, f_dust_limit_satoshis, f_max_htlc_value_in_flight_msat, f_channel_reserve_satoshis, f_htlc_minimum_msat, f_feerate_per_kw, f_to_self_delay, f_max_accepted_htlcs, f_funding_pubkey, f_revocation_basepoint, f_payment_basepoint, f_delayed_payment_basepoint, f_htlc_basepoint, f_first_per_commitment_point, f_channel_flags, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18 = _SET_OpenChannel
        s0(o, f_chain_hash)
        s1(o, f_temporary_channel_id)
        s2(o, f_funding_satoshis)
        s3(o, f_push_msat)
        s4(o, f_dust_limit_satoshis)
        s5(o, f_max_htlc_value_in_flight_msat)
        s6(o, f_channel_reserve_satoshis)
        s7(o, f_htlc_minimum_msat)
        s8(o, f_feerate_per_kw)
        s9(o, f_to_self_delay)
        s10(o, f_max_accepted_htlcs)
        s11(o, f_funding_pubkey)
        s12(o, f_revocation_basepoint)
        s13(o, f_payment_basepoint)
        s14(o, f_delayed_payment_basepoint)
        s15(o, f_htlc_basepoint)
        s16(o, f_first_per_commitment_point)
        s17(o, f_channel_flags)
        s18(o, f_tlvs)
        return o


_SET_OpenChannel: Final = slot_setters(OpenChannel)


@dataclass(frozen=True, slots=True)
class AcceptChannel:
    """Message `accept_channel` (type 33)."""

    TYPE: ClassVar[int] = 33
    NAME: ClassVar[str] = 'accept_channel'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'temporary_channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('temporary_channel_id', 'byte', 32, None, None, None),
        Field('dust_limit_satoshis', 'u64', None, None, None, None),
        Field('max_htlc_value_in_flight_msat', 'u64', None, None, None, None),
        Field('channel_reserve_satoshis', 'u64', None, None, None, None),
        Field('htlc_minimum_msat', 'u64', None, None, None, None),
        Field('minimum_depth', 'u32', None, None, None, None),
        Field('to_self_delay', 'u16', None, None, None, None),
        Field('max_accepted_htlcs', 'u16', None, None, None, None),
        Field('funding_pubkey', 'point', None, None, None, None),
        Field('revocation_basepoint', 'point', None, None, None, None),
        Field('payment_basepoint', 'point', None, None, None, None),
        Field('delayed_payment_basepoint', 'point', None, None, None, None),
        Field('htlc_basepoint', 'point', None, None, None, None),
        Field('first_per_commitment_point', 'point', None, None, None, None),
        Field('tlvs', 'accept_channel_tlvs', None, None, AcceptChannelTlvs, None),
    )

    temporary_channel_id: ChannelId
    dust_limit_satoshis: Sat
    max_htlc_value_in_flight_msat: Msat
    channel_reserve_satoshis: Sat
    htlc_minimum_msat: Msat
    minimum_depth: int
    to_self_delay: int
    max_accepted_htlcs: int
    funding_pubkey: bytes
    revocation_basepoint: bytes
    payment_basepoint: bytes
    delayed_payment_basepoint: bytes
    htlc_basepoint: bytes
    first_per_commitment_point: bytes
    tlvs: AcceptChannelTlvs = _EMPTY_AcceptChannelTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S37.pack(33, check_len(self.temporary_channel_id, 32, 'accept_channel.temporary_channel_id'), self.dust_limit_satoshis, self.max_htlc_value_in_flight_msat, self.channel_reserve_satoshis, self.htlc_minimum_msat, self.minimum_depth, self.to_self_delay, self.max_accepted_htlcs, check_point(self.funding_pubkey, 'accept_channel.funding_pubkey'), check_point(self.revocation_basepoint, 'accept_channel.revocation_basepoint'), check_point(self.payment_basepoint, 'accept_channel.payment_basepoint'), check_point(self.delayed_payment_basepoint, 'accept_channel.delayed_payment_basepoint'), check_point(self.htlc_basepoint, 'accept_channel.htlc_basepoint'), check_point(self.first_per_commitment_point, 'accept_channel.first_per_commitment_point')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('accept_channel', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 270:
            raise truncated('accept_channel', 270, e)
        f_temporary_channel_id, f_dust_limit_satoshis, f_max_htlc_value_in_flight_msat, f_channel_reserve_satoshis, f_htlc_minimum_msat, f_minimum_depth, f_to_self_delay, f_max_accepted_htlcs, f_funding_pubkey, f_revocation_basepoint, f_payment_basepoint, f_delayed_payment_basepoint, f_htlc_basepoint, f_first_per_commitment_point = _S38.unpack_from(d, 0)
        if (f_funding_pubkey[0] | 1) != 3:
            raise bad_point('accept_channel.funding_pubkey')
        if (f_revocation_basepoint[0] | 1) != 3:
            raise bad_point('accept_channel.revocation_basepoint')
        if (f_payment_basepoint[0] | 1) != 3:
            raise bad_point('accept_channel.payment_basepoint')
        if (f_delayed_payment_basepoint[0] | 1) != 3:
            raise bad_point('accept_channel.delayed_payment_basepoint')
        if (f_htlc_basepoint[0] | 1) != 3:
            raise bad_point('accept_channel.htlc_basepoint')
        if (f_first_per_commitment_point[0] | 1) != 3:
            raise bad_point('accept_channel.first_per_commitment_point')
        p = 270
        f_tlvs = AcceptChannelTlvs.decode(d[p:e]) if p < e else _EMPTY_AcceptChannelTlvs
        p = e
        if cls is not AcceptChannel:  # a subclass: use its __init__
            return cls(f_temporary_channel_id, f_dust_limit_satoshis, f_max_htlc_value_in_flight_msat, f_channel_reserve_satoshis, f_htlc_minimum_msat, f_minimum_depth, f_to_self_delay, f_max_accepted_htlcs, f_funding_pubkey, f_revocation_basepoint, f_payment_basepoint, f_delayed_payment_basepoint, f_htlc_basepoint, f_first_per_commitment_point, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14 = _SET_AcceptChannel
        s0(o, f_temporary_channel_id)
        s1(o, f_dust_limit_satoshis)
        s2(o, f_max_htlc_value_in_flight_msat)
        s3(o, f_channel_reserve_satoshis)
        s4(o, f_htlc_minimum_msat)
        s5(o, f_minimum_depth)
        s6(o, f_to_self_delay)
        s7(o, f_max_accepted_htlcs)
        s8(o, f_funding_pubkey)
        s9(o, f_revocation_basepoint)
        s10(o, f_payment_basepoint)
        s11(o, f_delayed_payment_basepoint)
        s12(o, f_htlc_basepoint)
        s13(o, f_first_per_commitment_point)
        s14(o, f_tlvs)
        return o


_SET_AcceptChannel: Final = slot_setters(AcceptChannel)


@dataclass(frozen=True, slots=True)
class FundingCreated:
    """Message `funding_created` (type 34)."""

    TYPE: ClassVar[int] = 34
    NAME: ClassVar[str] = 'funding_created'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'temporary_channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('temporary_channel_id', 'byte', 32, None, None, None),
        Field('funding_txid', 'sha256', None, None, None, None),
        Field('funding_output_index', 'u16', None, None, None, None),
        Field('signature', 'signature', None, None, None, None),
        Field('extension', 'extension'),
    )

    temporary_channel_id: ChannelId
    funding_txid: bytes
    funding_output_index: int
    signature: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S39.pack(34, check_len(self.temporary_channel_id, 32, 'funding_created.temporary_channel_id'), check_len(self.funding_txid, 32, 'funding_created.funding_txid'), self.funding_output_index, check_len(self.signature, 64, 'funding_created.signature')),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('funding_created', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 130:
            raise truncated('funding_created', 130, e)
        f_temporary_channel_id, f_funding_txid, f_funding_output_index, f_signature = _S40.unpack_from(d, 0)
        f_extension = d[130:] if e > 130 else b""
        if cls is not FundingCreated:  # a subclass: use its __init__
            return cls(f_temporary_channel_id, f_funding_txid, f_funding_output_index, f_signature, f_extension)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4 = _SET_FundingCreated
        s0(o, f_temporary_channel_id)
        s1(o, f_funding_txid)
        s2(o, f_funding_output_index)
        s3(o, f_signature)
        s4(o, f_extension)
        return o


_SET_FundingCreated: Final = slot_setters(FundingCreated)


@dataclass(frozen=True, slots=True)
class FundingSigned:
    """Message `funding_signed` (type 35)."""

    TYPE: ClassVar[int] = 35
    NAME: ClassVar[str] = 'funding_signed'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('signature', 'signature', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    signature: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S41.pack(35, check_len(self.channel_id, 32, 'funding_signed.channel_id'), check_len(self.signature, 64, 'funding_signed.signature')),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('funding_signed', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 96:
            raise truncated('funding_signed', 96, e)
        f_channel_id, f_signature = _S42.unpack_from(d, 0)
        f_extension = d[96:] if e > 96 else b""
        if cls is not FundingSigned:  # a subclass: use its __init__
            return cls(f_channel_id, f_signature, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_FundingSigned
        s0(o, f_channel_id)
        s1(o, f_signature)
        s2(o, f_extension)
        return o


_SET_FundingSigned: Final = slot_setters(FundingSigned)


@dataclass(frozen=True, slots=True)
class ChannelReady:
    """Message `channel_ready` (type 36)."""

    TYPE: ClassVar[int] = 36
    NAME: ClassVar[str] = 'channel_ready'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('second_per_commitment_point', 'point', None, None, None, None),
        Field('tlvs', 'channel_ready_tlvs', None, None, ChannelReadyTlvs, None),
    )

    channel_id: ChannelId
    second_per_commitment_point: bytes
    tlvs: ChannelReadyTlvs = _EMPTY_ChannelReadyTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S43.pack(36, check_len(self.channel_id, 32, 'channel_ready.channel_id'), check_point(self.second_per_commitment_point, 'channel_ready.second_per_commitment_point')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('channel_ready', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 65:
            raise truncated('channel_ready', 65, e)
        f_channel_id, f_second_per_commitment_point = _S44.unpack_from(d, 0)
        if (f_second_per_commitment_point[0] | 1) != 3:
            raise bad_point('channel_ready.second_per_commitment_point')
        p = 65
        f_tlvs = ChannelReadyTlvs.decode(d[p:e]) if p < e else _EMPTY_ChannelReadyTlvs
        p = e
        if cls is not ChannelReady:  # a subclass: use its __init__
            return cls(f_channel_id, f_second_per_commitment_point, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_ChannelReady
        s0(o, f_channel_id)
        s1(o, f_second_per_commitment_point)
        s2(o, f_tlvs)
        return o


_SET_ChannelReady: Final = slot_setters(ChannelReady)


@dataclass(frozen=True, slots=True)
class OpenChannel2:
    """Message `open_channel2` (type 64)."""

    TYPE: ClassVar[int] = 64
    NAME: ClassVar[str] = 'open_channel2'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'temporary_channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('chain_hash', 'chain_hash', None, None, None, None),
        Field('temporary_channel_id', 'channel_id', None, None, None, None),
        Field('funding_feerate_perkw', 'u32', None, None, None, None),
        Field('commitment_feerate_perkw', 'u32', None, None, None, None),
        Field('funding_satoshis', 'u64', None, None, None, None),
        Field('dust_limit_satoshis', 'u64', None, None, None, None),
        Field('max_htlc_value_in_flight_msat', 'u64', None, None, None, None),
        Field('htlc_minimum_msat', 'u64', None, None, None, None),
        Field('to_self_delay', 'u16', None, None, None, None),
        Field('max_accepted_htlcs', 'u16', None, None, None, None),
        Field('locktime', 'u32', None, None, None, None),
        Field('funding_pubkey', 'point', None, None, None, None),
        Field('revocation_basepoint', 'point', None, None, None, None),
        Field('payment_basepoint', 'point', None, None, None, None),
        Field('delayed_payment_basepoint', 'point', None, None, None, None),
        Field('htlc_basepoint', 'point', None, None, None, None),
        Field('first_per_commitment_point', 'point', None, None, None, None),
        Field('second_per_commitment_point', 'point', None, None, None, None),
        Field('channel_flags', 'byte', None, None, None, None),
        Field('tlvs', 'opening_tlvs', None, None, OpeningTlvs, None),
    )

    chain_hash: bytes
    temporary_channel_id: ChannelId
    funding_feerate_perkw: int
    commitment_feerate_perkw: int
    funding_satoshis: Sat
    dust_limit_satoshis: Sat
    max_htlc_value_in_flight_msat: Msat
    htlc_minimum_msat: Msat
    to_self_delay: int
    max_accepted_htlcs: int
    locktime: int
    funding_pubkey: bytes
    revocation_basepoint: bytes
    payment_basepoint: bytes
    delayed_payment_basepoint: bytes
    htlc_basepoint: bytes
    first_per_commitment_point: bytes
    second_per_commitment_point: bytes
    channel_flags: int
    tlvs: OpeningTlvs = _EMPTY_OpeningTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S45.pack(64, check_len(self.chain_hash, 32, 'open_channel2.chain_hash'), check_len(self.temporary_channel_id, 32, 'open_channel2.temporary_channel_id'), self.funding_feerate_perkw, self.commitment_feerate_perkw, self.funding_satoshis, self.dust_limit_satoshis, self.max_htlc_value_in_flight_msat, self.htlc_minimum_msat, self.to_self_delay, self.max_accepted_htlcs, self.locktime, check_point(self.funding_pubkey, 'open_channel2.funding_pubkey'), check_point(self.revocation_basepoint, 'open_channel2.revocation_basepoint'), check_point(self.payment_basepoint, 'open_channel2.payment_basepoint'), check_point(self.delayed_payment_basepoint, 'open_channel2.delayed_payment_basepoint'), check_point(self.htlc_basepoint, 'open_channel2.htlc_basepoint'), check_point(self.first_per_commitment_point, 'open_channel2.first_per_commitment_point'), check_point(self.second_per_commitment_point, 'open_channel2.second_per_commitment_point'), self.channel_flags),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('open_channel2', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 344:
            raise truncated('open_channel2', 344, e)
        f_chain_hash, f_temporary_channel_id, f_funding_feerate_perkw, f_commitment_feerate_perkw, f_funding_satoshis, f_dust_limit_satoshis, f_max_htlc_value_in_flight_msat, f_htlc_minimum_msat, f_to_self_delay, f_max_accepted_htlcs, f_locktime, f_funding_pubkey, f_revocation_basepoint, f_payment_basepoint, f_delayed_payment_basepoint, f_htlc_basepoint, f_first_per_commitment_point, f_second_per_commitment_point, f_channel_flags = _S46.unpack_from(d, 0)
        if (f_funding_pubkey[0] | 1) != 3:
            raise bad_point('open_channel2.funding_pubkey')
        if (f_revocation_basepoint[0] | 1) != 3:
            raise bad_point('open_channel2.revocation_basepoint')
        if (f_payment_basepoint[0] | 1) != 3:
            raise bad_point('open_channel2.payment_basepoint')
        if (f_delayed_payment_basepoint[0] | 1) != 3:
            raise bad_point('open_channel2.delayed_payment_basepoint')
        if (f_htlc_basepoint[0] | 1) != 3:
            raise bad_point('open_channel2.htlc_basepoint')
        if (f_first_per_commitment_point[0] | 1) != 3:
            raise bad_point('open_channel2.first_per_commitment_point')
        if (f_second_per_commitment_point[0] | 1) != 3:
            raise bad_point('open_channel2.second_per_commitment_point')
        p = 344
        f_tlvs = OpeningTlvs.decode(d[p:e]) if p < e else _EMPTY_OpeningTlvs
        p = e
        if cls is not OpenChannel2:  # a subclass: use its __init__
            return cls(f_chain_hash, f_temporary_channel_id, f_funding_feerate_perkw, f_commitment_feerate_perkw, f_funding_satoshis, f_dust_limit_satoshis, f_max_htlc_value_in_flight_msat, f_htlc_minimum_msat, f_to_self_delay, f_max_accepted_htlcs, f_locktime, f_funding_pubkey, f_revocation_basepoint, f_payment_basepoint, f_delayed_payment_basepoint, f_htlc_basepoint, f_first_per_commitment_point, f_second_per_commitment_point, f_channel_flags, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19 = _SET_OpenChannel2
        s0(o, f_chain_hash)
        s1(o, f_temporary_channel_id)
        s2(o, f_funding_feerate_perkw)
        s3(o, f_commitment_feerate_perkw)
        s4(o, f_funding_satoshis)
        s5(o, f_dust_limit_satoshis)
        s6(o, f_max_htlc_value_in_flight_msat)
        s7(o, f_htlc_minimum_msat)
        s8(o, f_to_self_delay)
        s9(o, f_max_accepted_htlcs)
        s10(o, f_locktime)
        s11(o, f_funding_pubkey)
        s12(o, f_revocation_basepoint)
        s13(o, f_payment_basepoint)
        s14(o, f_delayed_payment_basepoint)
        s15(o, f_htlc_basepoint)
        s16(o, f_first_per_commitment_point)
        s17(o, f_second_per_commitment_point)
        s18(o, f_channel_flags)
        s19(o, f_tlvs)
        return o


_SET_OpenChannel2: Final = slot_setters(OpenChannel2)


@dataclass(frozen=True, slots=True)
class AcceptChannel2:
    """Message `accept_channel2` (type 65)."""

    TYPE: ClassVar[int] = 65
    NAME: ClassVar[str] = 'accept_channel2'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'temporary_channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('temporary_channel_id', 'channel_id', None, None, None, None),
        Field('funding_satoshis', 'u64', None, None, None, None),
        Field('dust_limit_satoshis', 'u64', None, None, None, None),
        Field('max_htlc_value_in_flight_msat', 'u64', None, None, None, None),
        Field('htlc_minimum_msat', 'u64', None, None, None, None),
        Field('minimum_depth', 'u32', None, None, None, None),
        Field('to_self_delay', 'u16', None, None, None, None),
        Field('max_accepted_htlcs', 'u16', None, None, None, None),
        Field('funding_pubkey', 'point', None, None, None, None),
        Field('revocation_basepoint', 'point', None, None, None, None),
        Field('payment_basepoint', 'point', None, None, None, None),
        Field('delayed_payment_basepoint', 'point', None, None, None, None),
        Field('htlc_basepoint', 'point', None, None, None, None),
        Field('first_per_commitment_point', 'point', None, None, None, None),
        Field('second_per_commitment_point', 'point', None, None, None, None),
        Field('tlvs', 'accept_tlvs', None, None, AcceptTlvs, None),
    )

    temporary_channel_id: ChannelId
    funding_satoshis: Sat
    dust_limit_satoshis: Sat
    max_htlc_value_in_flight_msat: Msat
    htlc_minimum_msat: Msat
    minimum_depth: int
    to_self_delay: int
    max_accepted_htlcs: int
    funding_pubkey: bytes
    revocation_basepoint: bytes
    payment_basepoint: bytes
    delayed_payment_basepoint: bytes
    htlc_basepoint: bytes
    first_per_commitment_point: bytes
    second_per_commitment_point: bytes
    tlvs: AcceptTlvs = _EMPTY_AcceptTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S47.pack(65, check_len(self.temporary_channel_id, 32, 'accept_channel2.temporary_channel_id'), self.funding_satoshis, self.dust_limit_satoshis, self.max_htlc_value_in_flight_msat, self.htlc_minimum_msat, self.minimum_depth, self.to_self_delay, self.max_accepted_htlcs, check_point(self.funding_pubkey, 'accept_channel2.funding_pubkey'), check_point(self.revocation_basepoint, 'accept_channel2.revocation_basepoint'), check_point(self.payment_basepoint, 'accept_channel2.payment_basepoint'), check_point(self.delayed_payment_basepoint, 'accept_channel2.delayed_payment_basepoint'), check_point(self.htlc_basepoint, 'accept_channel2.htlc_basepoint'), check_point(self.first_per_commitment_point, 'accept_channel2.first_per_commitment_point'), check_point(self.second_per_commitment_point, 'accept_channel2.second_per_commitment_point')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('accept_channel2', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 303:
            raise truncated('accept_channel2', 303, e)
        f_temporary_channel_id, f_funding_satoshis, f_dust_limit_satoshis, f_max_htlc_value_in_flight_msat, f_htlc_minimum_msat, f_minimum_depth, f_to_self_delay, f_max_accepted_htlcs, f_funding_pubkey, f_revocation_basepoint, f_payment_basepoint, f_delayed_payment_basepoint, f_htlc_basepoint, f_first_per_commitment_point, f_second_per_commitment_point = _S48.unpack_from(d, 0)
        if (f_funding_pubkey[0] | 1) != 3:
            raise bad_point('accept_channel2.funding_pubkey')
        if (f_revocation_basepoint[0] | 1) != 3:
            raise bad_point('accept_channel2.revocation_basepoint')
        if (f_payment_basepoint[0] | 1) != 3:
            raise bad_point('accept_channel2.payment_basepoint')
        if (f_delayed_payment_basepoint[0] | 1) != 3:
            raise bad_point('accept_channel2.delayed_payment_basepoint')
        if (f_htlc_basepoint[0] | 1) != 3:
            raise bad_point('accept_channel2.htlc_basepoint')
        if (f_first_per_commitment_point[0] | 1) != 3:
            raise bad_point('accept_channel2.first_per_commitment_point')
        if (f_second_per_commitment_point[0] | 1) != 3:
            raise bad_point('accept_channel2.second_per_commitment_point')
        p = 303
        f_tlvs = AcceptTlvs.decode(d[p:e]) if p < e else _EMPTY_AcceptTlvs
        p = e
        if cls is not AcceptChannel2:  # a subclass: use its __init__
            return cls(f_temporary_channel_id, f_funding_satoshis, f_dust_limit_satoshis, f_max_htlc_value_in_flight_msat, f_htlc_minimum_msat, f_minimum_depth, f_to_self_delay, f_max_accepted_htlcs, f_funding_pubkey, f_revocation_basepoint, f_payment_basepoint, f_delayed_payment_basepoint, f_htlc_basepoint, f_first_per_commitment_point, f_second_per_commitment_point, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15 = _SET_AcceptChannel2
        s0(o, f_temporary_channel_id)
        s1(o, f_funding_satoshis)
        s2(o, f_dust_limit_satoshis)
        s3(o, f_max_htlc_value_in_flight_msat)
        s4(o, f_htlc_minimum_msat)
        s5(o, f_minimum_depth)
        s6(o, f_to_self_delay)
        s7(o, f_max_accepted_htlcs)
        s8(o, f_funding_pubkey)
        s9(o, f_revocation_basepoint)
        s10(o, f_payment_basepoint)
        s11(o, f_delayed_payment_basepoint)
        s12(o, f_htlc_basepoint)
        s13(o, f_first_per_commitment_point)
        s14(o, f_second_per_commitment_point)
        s15(o, f_tlvs)
        return o


_SET_AcceptChannel2: Final = slot_setters(AcceptChannel2)


@dataclass(frozen=True, slots=True)
class Stfu:
    """Message `stfu` (type 2)."""

    TYPE: ClassVar[int] = 2
    NAME: ClassVar[str] = 'stfu'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('initiator', 'u8', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    initiator: int
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S49.pack(2, check_len(self.channel_id, 32, 'stfu.channel_id'), self.initiator),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('stfu', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 33:
            raise truncated('stfu', 33, e)
        f_channel_id, f_initiator = _S12.unpack_from(d, 0)
        f_extension = d[33:] if e > 33 else b""
        if cls is not Stfu:  # a subclass: use its __init__
            return cls(f_channel_id, f_initiator, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_Stfu
        s0(o, f_channel_id)
        s1(o, f_initiator)
        s2(o, f_extension)
        return o


_SET_Stfu: Final = slot_setters(Stfu)


@dataclass(frozen=True, slots=True)
class SpliceInit:
    """Message `splice_init` (type 80)."""

    TYPE: ClassVar[int] = 80
    NAME: ClassVar[str] = 'splice_init'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('funding_contribution_satoshis', 's64', None, None, None, None),
        Field('funding_feerate_perkw', 'u32', None, None, None, None),
        Field('locktime', 'u32', None, None, None, None),
        Field('funding_pubkey', 'point', None, None, None, None),
        Field('tlvs', 'splice_init_tlvs', None, None, SpliceInitTlvs, None),
    )

    channel_id: ChannelId
    funding_contribution_satoshis: Sat
    funding_feerate_perkw: int
    locktime: int
    funding_pubkey: bytes
    tlvs: SpliceInitTlvs = _EMPTY_SpliceInitTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S50.pack(80, check_len(self.channel_id, 32, 'splice_init.channel_id'), self.funding_contribution_satoshis, self.funding_feerate_perkw, self.locktime, check_point(self.funding_pubkey, 'splice_init.funding_pubkey')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('splice_init', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 81:
            raise truncated('splice_init', 81, e)
        f_channel_id, f_funding_contribution_satoshis, f_funding_feerate_perkw, f_locktime, f_funding_pubkey = _S51.unpack_from(d, 0)
        if (f_funding_pubkey[0] | 1) != 3:
            raise bad_point('splice_init.funding_pubkey')
        p = 81
        f_tlvs = SpliceInitTlvs.decode(d[p:e]) if p < e else _EMPTY_SpliceInitTlvs
        p = e
        if cls is not SpliceInit:  # a subclass: use its __init__
            return cls(f_channel_id, f_funding_contribution_satoshis, f_funding_feerate_perkw, f_locktime, f_funding_pubkey, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5 = _SET_SpliceInit
        s0(o, f_channel_id)
        s1(o, f_funding_contribution_satoshis)
        s2(o, f_funding_feerate_perkw)
        s3(o, f_locktime)
        s4(o, f_funding_pubkey)
        s5(o, f_tlvs)
        return o


_SET_SpliceInit: Final = slot_setters(SpliceInit)


@dataclass(frozen=True, slots=True)
class SpliceAck:
    """Message `splice_ack` (type 81)."""

    TYPE: ClassVar[int] = 81
    NAME: ClassVar[str] = 'splice_ack'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('funding_contribution_satoshis', 's64', None, None, None, None),
        Field('funding_pubkey', 'point', None, None, None, None),
        Field('tlvs', 'splice_ack_tlvs', None, None, SpliceAckTlvs, None),
    )

    channel_id: ChannelId
    funding_contribution_satoshis: Sat
    funding_pubkey: bytes
    tlvs: SpliceAckTlvs = _EMPTY_SpliceAckTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S52.pack(81, check_len(self.channel_id, 32, 'splice_ack.channel_id'), self.funding_contribution_satoshis, check_point(self.funding_pubkey, 'splice_ack.funding_pubkey')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('splice_ack', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 73:
            raise truncated('splice_ack', 73, e)
        f_channel_id, f_funding_contribution_satoshis, f_funding_pubkey = _S53.unpack_from(d, 0)
        if (f_funding_pubkey[0] | 1) != 3:
            raise bad_point('splice_ack.funding_pubkey')
        p = 73
        f_tlvs = SpliceAckTlvs.decode(d[p:e]) if p < e else _EMPTY_SpliceAckTlvs
        p = e
        if cls is not SpliceAck:  # a subclass: use its __init__
            return cls(f_channel_id, f_funding_contribution_satoshis, f_funding_pubkey, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_SpliceAck
        s0(o, f_channel_id)
        s1(o, f_funding_contribution_satoshis)
        s2(o, f_funding_pubkey)
        s3(o, f_tlvs)
        return o


_SET_SpliceAck: Final = slot_setters(SpliceAck)


@dataclass(frozen=True, slots=True)
class SpliceLocked:
    """Message `splice_locked` (type 77)."""

    TYPE: ClassVar[int] = 77
    NAME: ClassVar[str] = 'splice_locked'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('splice_txid', 'sha256', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    splice_txid: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S54.pack(77, check_len(self.channel_id, 32, 'splice_locked.channel_id'), check_len(self.splice_txid, 32, 'splice_locked.splice_txid')),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('splice_locked', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 64:
            raise truncated('splice_locked', 64, e)
        f_channel_id, f_splice_txid = _S55.unpack_from(d, 0)
        f_extension = d[64:] if e > 64 else b""
        if cls is not SpliceLocked:  # a subclass: use its __init__
            return cls(f_channel_id, f_splice_txid, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_SpliceLocked
        s0(o, f_channel_id)
        s1(o, f_splice_txid)
        s2(o, f_extension)
        return o


_SET_SpliceLocked: Final = slot_setters(SpliceLocked)


@dataclass(frozen=True, slots=True)
class Shutdown:
    """Message `shutdown` (type 38)."""

    TYPE: ClassVar[int] = 38
    NAME: ClassVar[str] = 'shutdown'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('scriptpubkey', 'byte', 'len', 'u16', None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    scriptpubkey: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_scriptpubkey = self.scriptpubkey
            return b"".join((
                _S21.pack(38, check_len(self.channel_id, 32, 'shutdown.channel_id'), len(x_scriptpubkey)),
                x_scriptpubkey,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('shutdown', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 34:
            raise truncated('shutdown', 34, e)
        f_channel_id, n_len = _S22.unpack_from(d, 0)
        p = 34
        q = p + n_len
        if q > e:
            raise truncated('shutdown.scriptpubkey', n_len, e - p)
        f_scriptpubkey = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not Shutdown:  # a subclass: use its __init__
            return cls(f_channel_id, f_scriptpubkey, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_Shutdown
        s0(o, f_channel_id)
        s1(o, f_scriptpubkey)
        s2(o, f_extension)
        return o


_SET_Shutdown: Final = slot_setters(Shutdown)


@dataclass(frozen=True, slots=True)
class ClosingComplete:
    """Message `closing_complete` (type 40)."""

    TYPE: ClassVar[int] = 40
    NAME: ClassVar[str] = 'closing_complete'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('closer_scriptpubkey', 'byte', 'closer_scriptpubkey_len', 'u16', None, None),
        Field('closee_scriptpubkey', 'byte', 'closee_scriptpubkey_len', 'u16', None, None),
        Field('fee_satoshis', 'u64', None, None, None, None),
        Field('locktime', 'u32', None, None, None, None),
        Field('tlvs', 'closing_tlvs', None, None, ClosingTlvs, None),
    )

    channel_id: ChannelId
    closer_scriptpubkey: bytes
    closee_scriptpubkey: bytes
    fee_satoshis: Sat
    locktime: int
    tlvs: ClosingTlvs = _EMPTY_ClosingTlvs

    def encode(self) -> bytes:
        try:
            x_closer_scriptpubkey = self.closer_scriptpubkey
            x_closee_scriptpubkey = self.closee_scriptpubkey
            return b"".join((
                _S21.pack(40, check_len(self.channel_id, 32, 'closing_complete.channel_id'), len(x_closer_scriptpubkey)),
                x_closer_scriptpubkey,
                _S0.pack(len(x_closee_scriptpubkey)),
                x_closee_scriptpubkey,
                _S56.pack(self.fee_satoshis, self.locktime),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('closing_complete', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 34:
            raise truncated('closing_complete', 34, e)
        f_channel_id, n_closer_scriptpubkey_len = _S22.unpack_from(d, 0)
        p = 34
        q = p + n_closer_scriptpubkey_len
        if q > e:
            raise truncated('closing_complete.closer_scriptpubkey', n_closer_scriptpubkey_len, e - p)
        f_closer_scriptpubkey = d[p:q]
        p = q
        if p + 2 > e:
            raise truncated('closing_complete', 2, e - p)
        n_closee_scriptpubkey_len, = _S0.unpack_from(d, p)
        p += 2
        q = p + n_closee_scriptpubkey_len
        if q > e:
            raise truncated('closing_complete.closee_scriptpubkey', n_closee_scriptpubkey_len, e - p)
        f_closee_scriptpubkey = d[p:q]
        p = q
        if p + 12 > e:
            raise truncated('closing_complete', 12, e - p)
        f_fee_satoshis, f_locktime = _S56.unpack_from(d, p)
        p += 12
        f_tlvs = ClosingTlvs.decode(d[p:e]) if p < e else _EMPTY_ClosingTlvs
        p = e
        if cls is not ClosingComplete:  # a subclass: use its __init__
            return cls(f_channel_id, f_closer_scriptpubkey, f_closee_scriptpubkey, f_fee_satoshis, f_locktime, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5 = _SET_ClosingComplete
        s0(o, f_channel_id)
        s1(o, f_closer_scriptpubkey)
        s2(o, f_closee_scriptpubkey)
        s3(o, f_fee_satoshis)
        s4(o, f_locktime)
        s5(o, f_tlvs)
        return o


_SET_ClosingComplete: Final = slot_setters(ClosingComplete)


@dataclass(frozen=True, slots=True)
class ClosingSig:
    """Message `closing_sig` (type 41)."""

    TYPE: ClassVar[int] = 41
    NAME: ClassVar[str] = 'closing_sig'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('closer_scriptpubkey', 'byte', 'closer_scriptpubkey_len', 'u16', None, None),
        Field('closee_scriptpubkey', 'byte', 'closee_scriptpubkey_len', 'u16', None, None),
        Field('fee_satoshis', 'u64', None, None, None, None),
        Field('locktime', 'u32', None, None, None, None),
        Field('tlvs', 'closing_tlvs', None, None, ClosingTlvs, None),
    )

    channel_id: ChannelId
    closer_scriptpubkey: bytes
    closee_scriptpubkey: bytes
    fee_satoshis: Sat
    locktime: int
    tlvs: ClosingTlvs = _EMPTY_ClosingTlvs

    def encode(self) -> bytes:
        try:
            x_closer_scriptpubkey = self.closer_scriptpubkey
            x_closee_scriptpubkey = self.closee_scriptpubkey
            return b"".join((
                _S21.pack(41, check_len(self.channel_id, 32, 'closing_sig.channel_id'), len(x_closer_scriptpubkey)),
                x_closer_scriptpubkey,
                _S0.pack(len(x_closee_scriptpubkey)),
                x_closee_scriptpubkey,
                _S56.pack(self.fee_satoshis, self.locktime),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('closing_sig', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 34:
            raise truncated('closing_sig', 34, e)
        f_channel_id, n_closer_scriptpubkey_len = _S22.unpack_from(d, 0)
        p = 34
        q = p + n_closer_scriptpubkey_len
        if q > e:
            raise truncated('closing_sig.closer_scriptpubkey', n_closer_scriptpubkey_len, e - p)
        f_closer_scriptpubkey = d[p:q]
        p = q
        if p + 2 > e:
            raise truncated('closing_sig', 2, e - p)
        n_closee_scriptpubkey_len, = _S0.unpack_from(d, p)
        p += 2
        q = p + n_closee_scriptpubkey_len
        if q > e:
            raise truncated('closing_sig.closee_scriptpubkey', n_closee_scriptpubkey_len, e - p)
        f_closee_scriptpubkey = d[p:q]
        p = q
        if p + 12 > e:
            raise truncated('closing_sig', 12, e - p)
        f_fee_satoshis, f_locktime = _S56.unpack_from(d, p)
        p += 12
        f_tlvs = ClosingTlvs.decode(d[p:e]) if p < e else _EMPTY_ClosingTlvs
        p = e
        if cls is not ClosingSig:  # a subclass: use its __init__
            return cls(f_channel_id, f_closer_scriptpubkey, f_closee_scriptpubkey, f_fee_satoshis, f_locktime, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5 = _SET_ClosingSig
        s0(o, f_channel_id)
        s1(o, f_closer_scriptpubkey)
        s2(o, f_closee_scriptpubkey)
        s3(o, f_fee_satoshis)
        s4(o, f_locktime)
        s5(o, f_tlvs)
        return o


_SET_ClosingSig: Final = slot_setters(ClosingSig)


@dataclass(frozen=True, slots=True)
class ClosingSigned:
    """Message `closing_signed` (type 39)."""

    TYPE: ClassVar[int] = 39
    NAME: ClassVar[str] = 'closing_signed'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('fee_satoshis', 'u64', None, None, None, None),
        Field('signature', 'signature', None, None, None, None),
        Field('tlvs', 'closing_signed_tlvs', None, None, ClosingSignedTlvs, None),
    )

    channel_id: ChannelId
    fee_satoshis: Sat
    signature: bytes
    tlvs: ClosingSignedTlvs = _EMPTY_ClosingSignedTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S57.pack(39, check_len(self.channel_id, 32, 'closing_signed.channel_id'), self.fee_satoshis, check_len(self.signature, 64, 'closing_signed.signature')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('closing_signed', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 104:
            raise truncated('closing_signed', 104, e)
        f_channel_id, f_fee_satoshis, f_signature = _S58.unpack_from(d, 0)
        p = 104
        f_tlvs = ClosingSignedTlvs.decode(d[p:e]) if p < e else _EMPTY_ClosingSignedTlvs
        p = e
        if cls is not ClosingSigned:  # a subclass: use its __init__
            return cls(f_channel_id, f_fee_satoshis, f_signature, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_ClosingSigned
        s0(o, f_channel_id)
        s1(o, f_fee_satoshis)
        s2(o, f_signature)
        s3(o, f_tlvs)
        return o


_SET_ClosingSigned: Final = slot_setters(ClosingSigned)


@dataclass(frozen=True, slots=True)
class UpdateAddHtlc:
    """Message `update_add_htlc` (type 128)."""

    TYPE: ClassVar[int] = 128
    NAME: ClassVar[str] = 'update_add_htlc'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('id', 'u64', None, None, None, None),
        Field('amount_msat', 'u64', None, None, None, None),
        Field('payment_hash', 'sha256', None, None, None, None),
        Field('cltv_expiry', 'u32', None, None, None, None),
        Field('onion_routing_packet', 'byte', 1366, None, None, None),
        Field('tlvs', 'update_add_htlc_tlvs', None, None, UpdateAddHtlcTlvs, None),
    )

    channel_id: ChannelId
    id: int
    amount_msat: Msat
    payment_hash: bytes
    cltv_expiry: int
    onion_routing_packet: bytes
    tlvs: UpdateAddHtlcTlvs = _EMPTY_UpdateAddHtlcTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S59.pack(128, check_len(self.channel_id, 32, 'update_add_htlc.channel_id'), self.id, self.amount_msat, check_len(self.payment_hash, 32, 'update_add_htlc.payment_hash'), self.cltv_expiry, check_len(self.onion_routing_packet, 1366, 'update_add_htlc.onion_routing_packet')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('update_add_htlc', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 1450:
            raise truncated('update_add_htlc', 1450, e)
        f_channel_id, f_id, f_amount_msat, f_payment_hash, f_cltv_expiry, f_onion_routing_packet = _S60.unpack_from(d, 0)
        p = 1450
        f_tlvs = UpdateAddHtlcTlvs.decode(d[p:e]) if p < e else _EMPTY_UpdateAddHtlcTlvs
        p = e
        if cls is not UpdateAddHtlc:  # a subclass: use its __init__
            return cls(f_channel_id, f_id, f_amount_msat, f_payment_hash, f_cltv_expiry, f_onion_routing_packet, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6 = _SET_UpdateAddHtlc
        s0(o, f_channel_id)
        s1(o, f_id)
        s2(o, f_amount_msat)
        s3(o, f_payment_hash)
        s4(o, f_cltv_expiry)
        s5(o, f_onion_routing_packet)
        s6(o, f_tlvs)
        return o


_SET_UpdateAddHtlc: Final = slot_setters(UpdateAddHtlc)


@dataclass(frozen=True, slots=True)
class UpdateFulfillHtlc:
    """Message `update_fulfill_htlc` (type 130)."""

    TYPE: ClassVar[int] = 130
    NAME: ClassVar[str] = 'update_fulfill_htlc'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('id', 'u64', None, None, None, None),
        Field('payment_preimage', 'byte', 32, None, None, None),
        Field('tlvs', 'update_fulfill_htlc_tlvs', None, None, UpdateFulfillHtlcTlvs, None),
    )

    channel_id: ChannelId
    id: int
    payment_preimage: bytes
    tlvs: UpdateFulfillHtlcTlvs = _EMPTY_UpdateFulfillHtlcTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S61.pack(130, check_len(self.channel_id, 32, 'update_fulfill_htlc.channel_id'), self.id, check_len(self.payment_preimage, 32, 'update_fulfill_htlc.payment_preimage')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('update_fulfill_htlc', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 72:
            raise truncated('update_fulfill_htlc', 72, e)
        f_channel_id, f_id, f_payment_preimage = _S62.unpack_from(d, 0)
        p = 72
        f_tlvs = UpdateFulfillHtlcTlvs.decode(d[p:e]) if p < e else _EMPTY_UpdateFulfillHtlcTlvs
        p = e
        if cls is not UpdateFulfillHtlc:  # a subclass: use its __init__
            return cls(f_channel_id, f_id, f_payment_preimage, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_UpdateFulfillHtlc
        s0(o, f_channel_id)
        s1(o, f_id)
        s2(o, f_payment_preimage)
        s3(o, f_tlvs)
        return o


_SET_UpdateFulfillHtlc: Final = slot_setters(UpdateFulfillHtlc)


@dataclass(frozen=True, slots=True)
class UpdateFailHtlc:
    """Message `update_fail_htlc` (type 131)."""

    TYPE: ClassVar[int] = 131
    NAME: ClassVar[str] = 'update_fail_htlc'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('id', 'u64', None, None, None, None),
        Field('reason', 'byte', 'len', 'u16', None, None),
        Field('tlvs', 'update_fail_htlc_tlvs', None, None, UpdateFailHtlcTlvs, None),
    )

    channel_id: ChannelId
    id: int
    reason: bytes
    tlvs: UpdateFailHtlcTlvs = _EMPTY_UpdateFailHtlcTlvs

    def encode(self) -> bytes:
        try:
            x_reason = self.reason
            return b"".join((
                _S24.pack(131, check_len(self.channel_id, 32, 'update_fail_htlc.channel_id'), self.id, len(x_reason)),
                x_reason,
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('update_fail_htlc', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 42:
            raise truncated('update_fail_htlc', 42, e)
        f_channel_id, f_id, n_len = _S25.unpack_from(d, 0)
        p = 42
        q = p + n_len
        if q > e:
            raise truncated('update_fail_htlc.reason', n_len, e - p)
        f_reason = d[p:q]
        p = q
        f_tlvs = UpdateFailHtlcTlvs.decode(d[p:e]) if p < e else _EMPTY_UpdateFailHtlcTlvs
        p = e
        if cls is not UpdateFailHtlc:  # a subclass: use its __init__
            return cls(f_channel_id, f_id, f_reason, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_UpdateFailHtlc
        s0(o, f_channel_id)
        s1(o, f_id)
        s2(o, f_reason)
        s3(o, f_tlvs)
        return o


_SET_UpdateFailHtlc: Final = slot_setters(UpdateFailHtlc)


@dataclass(frozen=True, slots=True)
class UpdateFailMalformedHtlc:
    """Message `update_fail_malformed_htlc` (type 135)."""

    TYPE: ClassVar[int] = 135
    NAME: ClassVar[str] = 'update_fail_malformed_htlc'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('id', 'u64', None, None, None, None),
        Field('sha256_of_onion', 'sha256', None, None, None, None),
        Field('failure_code', 'u16', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    id: int
    sha256_of_onion: bytes
    failure_code: int
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S63.pack(135, check_len(self.channel_id, 32, 'update_fail_malformed_htlc.channel_id'), self.id, check_len(self.sha256_of_onion, 32, 'update_fail_malformed_htlc.sha256_of_onion'), self.failure_code),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('update_fail_malformed_htlc', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 74:
            raise truncated('update_fail_malformed_htlc', 74, e)
        f_channel_id, f_id, f_sha256_of_onion, f_failure_code = _S64.unpack_from(d, 0)
        f_extension = d[74:] if e > 74 else b""
        if cls is not UpdateFailMalformedHtlc:  # a subclass: use its __init__
            return cls(f_channel_id, f_id, f_sha256_of_onion, f_failure_code, f_extension)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4 = _SET_UpdateFailMalformedHtlc
        s0(o, f_channel_id)
        s1(o, f_id)
        s2(o, f_sha256_of_onion)
        s3(o, f_failure_code)
        s4(o, f_extension)
        return o


_SET_UpdateFailMalformedHtlc: Final = slot_setters(UpdateFailMalformedHtlc)


@dataclass(frozen=True, slots=True)
class StartBatch:
    """Message `start_batch` (type 127)."""

    TYPE: ClassVar[int] = 127
    NAME: ClassVar[str] = 'start_batch'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('batch_size', 'u16', None, None, None, None),
        Field('tlvs', 'start_batch_tlvs', None, None, StartBatchTlvs, None),
    )

    channel_id: ChannelId
    batch_size: int
    tlvs: StartBatchTlvs = _EMPTY_StartBatchTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S21.pack(127, check_len(self.channel_id, 32, 'start_batch.channel_id'), self.batch_size),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('start_batch', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 34:
            raise truncated('start_batch', 34, e)
        f_channel_id, f_batch_size = _S22.unpack_from(d, 0)
        p = 34
        f_tlvs = StartBatchTlvs.decode(d[p:e]) if p < e else _EMPTY_StartBatchTlvs
        p = e
        if cls is not StartBatch:  # a subclass: use its __init__
            return cls(f_channel_id, f_batch_size, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_StartBatch
        s0(o, f_channel_id)
        s1(o, f_batch_size)
        s2(o, f_tlvs)
        return o


_SET_StartBatch: Final = slot_setters(StartBatch)


@dataclass(frozen=True, slots=True)
class CommitmentSigned:
    """Message `commitment_signed` (type 132)."""

    TYPE: ClassVar[int] = 132
    NAME: ClassVar[str] = 'commitment_signed'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('signature', 'signature', None, None, None, None),
        Field('htlc_signature', 'signature', 'num_htlcs', 'u16', None, None),
        Field('tlvs', 'commitment_signed_tlvs', None, None, CommitmentSignedTlvs, None),
    )

    channel_id: ChannelId
    signature: bytes
    htlc_signature: tuple[bytes, ...]
    tlvs: CommitmentSignedTlvs = _EMPTY_CommitmentSignedTlvs

    def encode(self) -> bytes:
        try:
            x_htlc_signature = join_fixed(self.htlc_signature, 64, 'commitment_signed.htlc_signature')
            return b"".join((
                _S65.pack(132, check_len(self.channel_id, 32, 'commitment_signed.channel_id'), check_len(self.signature, 64, 'commitment_signed.signature'), len(self.htlc_signature)),
                x_htlc_signature,
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('commitment_signed', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 98:
            raise truncated('commitment_signed', 98, e)
        f_channel_id, f_signature, n_num_htlcs = _S66.unpack_from(d, 0)
        p = 98
        f_htlc_signature, p = read_chunks(d, p, e, n_num_htlcs, 64, 'commitment_signed.htlc_signature')
        f_tlvs = CommitmentSignedTlvs.decode(d[p:e]) if p < e else _EMPTY_CommitmentSignedTlvs
        p = e
        if cls is not CommitmentSigned:  # a subclass: use its __init__
            return cls(f_channel_id, f_signature, f_htlc_signature, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_CommitmentSigned
        s0(o, f_channel_id)
        s1(o, f_signature)
        s2(o, f_htlc_signature)
        s3(o, f_tlvs)
        return o


_SET_CommitmentSigned: Final = slot_setters(CommitmentSigned)


@dataclass(frozen=True, slots=True)
class RevokeAndAck:
    """Message `revoke_and_ack` (type 133)."""

    TYPE: ClassVar[int] = 133
    NAME: ClassVar[str] = 'revoke_and_ack'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('per_commitment_secret', 'byte', 32, None, None, None),
        Field('next_per_commitment_point', 'point', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    per_commitment_secret: bytes
    next_per_commitment_point: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S67.pack(133, check_len(self.channel_id, 32, 'revoke_and_ack.channel_id'), check_len(self.per_commitment_secret, 32, 'revoke_and_ack.per_commitment_secret'), check_point(self.next_per_commitment_point, 'revoke_and_ack.next_per_commitment_point')),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('revoke_and_ack', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 97:
            raise truncated('revoke_and_ack', 97, e)
        f_channel_id, f_per_commitment_secret, f_next_per_commitment_point = _S68.unpack_from(d, 0)
        if (f_next_per_commitment_point[0] | 1) != 3:
            raise bad_point('revoke_and_ack.next_per_commitment_point')
        f_extension = d[97:] if e > 97 else b""
        if cls is not RevokeAndAck:  # a subclass: use its __init__
            return cls(f_channel_id, f_per_commitment_secret, f_next_per_commitment_point, f_extension)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_RevokeAndAck
        s0(o, f_channel_id)
        s1(o, f_per_commitment_secret)
        s2(o, f_next_per_commitment_point)
        s3(o, f_extension)
        return o


_SET_RevokeAndAck: Final = slot_setters(RevokeAndAck)


@dataclass(frozen=True, slots=True)
class UpdateFee:
    """Message `update_fee` (type 134)."""

    TYPE: ClassVar[int] = 134
    NAME: ClassVar[str] = 'update_fee'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('feerate_per_kw', 'u32', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    feerate_per_kw: int
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S69.pack(134, check_len(self.channel_id, 32, 'update_fee.channel_id'), self.feerate_per_kw),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('update_fee', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 36:
            raise truncated('update_fee', 36, e)
        f_channel_id, f_feerate_per_kw = _S70.unpack_from(d, 0)
        f_extension = d[36:] if e > 36 else b""
        if cls is not UpdateFee:  # a subclass: use its __init__
            return cls(f_channel_id, f_feerate_per_kw, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_UpdateFee
        s0(o, f_channel_id)
        s1(o, f_feerate_per_kw)
        s2(o, f_extension)
        return o


_SET_UpdateFee: Final = slot_setters(UpdateFee)


@dataclass(frozen=True, slots=True)
class ChannelReestablish:
    """Message `channel_reestablish` (type 136)."""

    TYPE: ClassVar[int] = 136
    NAME: ClassVar[str] = 'channel_reestablish'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('next_commitment_number', 'u64', None, None, None, None),
        Field('next_revocation_number', 'u64', None, None, None, None),
        Field('your_last_per_commitment_secret', 'byte', 32, None, None, None),
        Field('my_current_per_commitment_point', 'point', None, None, None, None),
        Field('tlvs', 'channel_reestablish_tlvs', None, None, ChannelReestablishTlvs, None),
    )

    channel_id: ChannelId
    next_commitment_number: int
    next_revocation_number: int
    your_last_per_commitment_secret: bytes
    my_current_per_commitment_point: bytes
    tlvs: ChannelReestablishTlvs = _EMPTY_ChannelReestablishTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S71.pack(136, check_len(self.channel_id, 32, 'channel_reestablish.channel_id'), self.next_commitment_number, self.next_revocation_number, check_len(self.your_last_per_commitment_secret, 32, 'channel_reestablish.your_last_per_commitment_secret'), check_point(self.my_current_per_commitment_point, 'channel_reestablish.my_current_per_commitment_point')),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('channel_reestablish', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 113:
            raise truncated('channel_reestablish', 113, e)
        f_channel_id, f_next_commitment_number, f_next_revocation_number, f_your_last_per_commitment_secret, f_my_current_per_commitment_point = _S72.unpack_from(d, 0)
        if (f_my_current_per_commitment_point[0] | 1) != 3:
            raise bad_point('channel_reestablish.my_current_per_commitment_point')
        p = 113
        f_tlvs = ChannelReestablishTlvs.decode(d[p:e]) if p < e else _EMPTY_ChannelReestablishTlvs
        p = e
        if cls is not ChannelReestablish:  # a subclass: use its __init__
            return cls(f_channel_id, f_next_commitment_number, f_next_revocation_number, f_your_last_per_commitment_secret, f_my_current_per_commitment_point, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5 = _SET_ChannelReestablish
        s0(o, f_channel_id)
        s1(o, f_next_commitment_number)
        s2(o, f_next_revocation_number)
        s3(o, f_your_last_per_commitment_secret)
        s4(o, f_my_current_per_commitment_point)
        s5(o, f_tlvs)
        return o


_SET_ChannelReestablish: Final = slot_setters(ChannelReestablish)


@dataclass(frozen=True, slots=True)
class OnionMessage:
    """Message `onion_message` (type 513)."""

    TYPE: ClassVar[int] = 513
    NAME: ClassVar[str] = 'onion_message'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = 'option_onion_messages'
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('path_key', 'point', None, None, None, None),
        Field('onion_message_packet', 'byte', 'len', 'u16', None, None),
        Field('extension', 'extension'),
    )

    path_key: bytes
    onion_message_packet: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_onion_message_packet = self.onion_message_packet
            return b"".join((
                _S73.pack(513, check_point(self.path_key, 'onion_message.path_key'), len(x_onion_message_packet)),
                x_onion_message_packet,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('onion_message', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 35:
            raise truncated('onion_message', 35, e)
        f_path_key, n_len = _S2.unpack_from(d, 0)
        if (f_path_key[0] | 1) != 3:
            raise bad_point('onion_message.path_key')
        p = 35
        q = p + n_len
        if q > e:
            raise truncated('onion_message.onion_message_packet', n_len, e - p)
        f_onion_message_packet = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not OnionMessage:  # a subclass: use its __init__
            return cls(f_path_key, f_onion_message_packet, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_OnionMessage
        s0(o, f_path_key)
        s1(o, f_onion_message_packet)
        s2(o, f_extension)
        return o


_SET_OnionMessage: Final = slot_setters(OnionMessage)


@dataclass(frozen=True, slots=True)
class AnnouncementSignatures:
    """Message `announcement_signatures` (type 259)."""

    TYPE: ClassVar[int] = 259
    NAME: ClassVar[str] = 'announcement_signatures'
    CHANNEL_ID_FIELD: ClassVar[str | None] = 'channel_id'
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('channel_id', 'channel_id', None, None, None, None),
        Field('short_channel_id', 'short_channel_id', None, None, None, None),
        Field('node_signature', 'signature', None, None, None, None),
        Field('bitcoin_signature', 'signature', None, None, None, None),
        Field('extension', 'extension'),
    )

    channel_id: ChannelId
    short_channel_id: ShortChannelId
    node_signature: bytes
    bitcoin_signature: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S74.pack(259, check_len(self.channel_id, 32, 'announcement_signatures.channel_id'), self.short_channel_id, check_len(self.node_signature, 64, 'announcement_signatures.node_signature'), check_len(self.bitcoin_signature, 64, 'announcement_signatures.bitcoin_signature')),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('announcement_signatures', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 168:
            raise truncated('announcement_signatures', 168, e)
        f_channel_id, f_short_channel_id, f_node_signature, f_bitcoin_signature = _S75.unpack_from(d, 0)
        f_extension = d[168:] if e > 168 else b""
        if cls is not AnnouncementSignatures:  # a subclass: use its __init__
            return cls(f_channel_id, f_short_channel_id, f_node_signature, f_bitcoin_signature, f_extension)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4 = _SET_AnnouncementSignatures
        s0(o, f_channel_id)
        s1(o, f_short_channel_id)
        s2(o, f_node_signature)
        s3(o, f_bitcoin_signature)
        s4(o, f_extension)
        return o


_SET_AnnouncementSignatures: Final = slot_setters(AnnouncementSignatures)


@dataclass(frozen=True, slots=True)
class ChannelAnnouncement:
    """Message `channel_announcement` (type 256)."""

    TYPE: ClassVar[int] = 256
    NAME: ClassVar[str] = 'channel_announcement'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('node_signature_1', 'signature', None, None, None, None),
        Field('node_signature_2', 'signature', None, None, None, None),
        Field('bitcoin_signature_1', 'signature', None, None, None, None),
        Field('bitcoin_signature_2', 'signature', None, None, None, None),
        Field('features', 'byte', 'len', 'u16', None, None),
        Field('chain_hash', 'chain_hash', None, None, None, None),
        Field('short_channel_id', 'short_channel_id', None, None, None, None),
        Field('node_id_1', 'point', None, None, None, None),
        Field('node_id_2', 'point', None, None, None, None),
        Field('bitcoin_key_1', 'point', None, None, None, None),
        Field('bitcoin_key_2', 'point', None, None, None, None),
        Field('extension', 'extension'),
    )

    node_signature_1: bytes
    node_signature_2: bytes
    bitcoin_signature_1: bytes
    bitcoin_signature_2: bytes
    features: bytes
    chain_hash: bytes
    short_channel_id: ShortChannelId
    node_id_1: bytes
    node_id_2: bytes
    bitcoin_key_1: bytes
    bitcoin_key_2: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_features = self.features
            return b"".join((
                _S76.pack(256, check_len(self.node_signature_1, 64, 'channel_announcement.node_signature_1'), check_len(self.node_signature_2, 64, 'channel_announcement.node_signature_2'), check_len(self.bitcoin_signature_1, 64, 'channel_announcement.bitcoin_signature_1'), check_len(self.bitcoin_signature_2, 64, 'channel_announcement.bitcoin_signature_2'), len(x_features)),
                x_features,
                _S77.pack(check_len(self.chain_hash, 32, 'channel_announcement.chain_hash'), self.short_channel_id, check_point(self.node_id_1, 'channel_announcement.node_id_1'), check_point(self.node_id_2, 'channel_announcement.node_id_2'), check_point(self.bitcoin_key_1, 'channel_announcement.bitcoin_key_1'), check_point(self.bitcoin_key_2, 'channel_announcement.bitcoin_key_2')),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('channel_announcement', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 258:
            raise truncated('channel_announcement', 258, e)
        f_node_signature_1, f_node_signature_2, f_bitcoin_signature_1, f_bitcoin_signature_2, n_len = _S78.unpack_from(d, 0)
        p = 258
        q = p + n_len
        if q > e:
            raise truncated('channel_announcement.features', n_len, e - p)
        f_features = d[p:q]
        p = q
        if p + 172 > e:
            raise truncated('channel_announcement', 172, e - p)
        f_chain_hash, f_short_channel_id, f_node_id_1, f_node_id_2, f_bitcoin_key_1, f_bitcoin_key_2 = _S77.unpack_from(d, p)
        p += 172
        if (f_node_id_1[0] | 1) != 3:
            raise bad_point('channel_announcement.node_id_1')
        if (f_node_id_2[0] | 1) != 3:
            raise bad_point('channel_announcement.node_id_2')
        if (f_bitcoin_key_1[0] | 1) != 3:
            raise bad_point('channel_announcement.bitcoin_key_1')
        if (f_bitcoin_key_2[0] | 1) != 3:
            raise bad_point('channel_announcement.bitcoin_key_2')
        f_extension = d[p:] if p < e else b""
        if cls is not ChannelAnnouncement:  # a subclass: use its __init__
            return cls(f_node_signature_1, f_node_signature_2, f_bitcoin_signature_1, f_bitcoin_signature_2, f_features, f_chain_hash, f_short_channel_id, f_node_id_1, f_node_id_2, f_bitcoin_key_1, f_bitcoin_key_2, f_extension)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11 = _SET_ChannelAnnouncement
        s0(o, f_node_signature_1)
        s1(o, f_node_signature_2)
        s2(o, f_bitcoin_signature_1)
        s3(o, f_bitcoin_signature_2)
        s4(o, f_features)
        s5(o, f_chain_hash)
        s6(o, f_short_channel_id)
        s7(o, f_node_id_1)
        s8(o, f_node_id_2)
        s9(o, f_bitcoin_key_1)
        s10(o, f_bitcoin_key_2)
        s11(o, f_extension)
        return o


_SET_ChannelAnnouncement: Final = slot_setters(ChannelAnnouncement)


@dataclass(frozen=True, slots=True)
class NodeAnnouncement:
    """Message `node_announcement` (type 257)."""

    TYPE: ClassVar[int] = 257
    NAME: ClassVar[str] = 'node_announcement'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('signature', 'signature', None, None, None, None),
        Field('features', 'byte', 'flen', 'u16', None, None),
        Field('timestamp', 'u32', None, None, None, None),
        Field('node_id', 'point', None, None, None, None),
        Field('rgb_color', 'byte', 3, None, None, None),
        Field('alias', 'byte', 32, None, None, None),
        Field('addresses', 'byte', 'addrlen', 'u16', None, None),
        Field('extension', 'extension'),
    )

    signature: bytes
    features: bytes
    timestamp: int
    node_id: bytes
    rgb_color: bytes
    alias: bytes
    addresses: bytes
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            x_features = self.features
            x_addresses = self.addresses
            return b"".join((
                _S79.pack(257, check_len(self.signature, 64, 'node_announcement.signature'), len(x_features)),
                x_features,
                _S80.pack(self.timestamp, check_point(self.node_id, 'node_announcement.node_id'), check_len(self.rgb_color, 3, 'node_announcement.rgb_color'), check_len(self.alias, 32, 'node_announcement.alias'), len(x_addresses)),
                x_addresses,
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('node_announcement', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 66:
            raise truncated('node_announcement', 66, e)
        f_signature, n_flen = _S81.unpack_from(d, 0)
        p = 66
        q = p + n_flen
        if q > e:
            raise truncated('node_announcement.features', n_flen, e - p)
        f_features = d[p:q]
        p = q
        if p + 74 > e:
            raise truncated('node_announcement', 74, e - p)
        f_timestamp, f_node_id, f_rgb_color, f_alias, n_addrlen = _S80.unpack_from(d, p)
        p += 74
        if (f_node_id[0] | 1) != 3:
            raise bad_point('node_announcement.node_id')
        q = p + n_addrlen
        if q > e:
            raise truncated('node_announcement.addresses', n_addrlen, e - p)
        f_addresses = d[p:q]
        p = q
        f_extension = d[p:] if p < e else b""
        if cls is not NodeAnnouncement:  # a subclass: use its __init__
            return cls(f_signature, f_features, f_timestamp, f_node_id, f_rgb_color, f_alias, f_addresses, f_extension)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7 = _SET_NodeAnnouncement
        s0(o, f_signature)
        s1(o, f_features)
        s2(o, f_timestamp)
        s3(o, f_node_id)
        s4(o, f_rgb_color)
        s5(o, f_alias)
        s6(o, f_addresses)
        s7(o, f_extension)
        return o


_SET_NodeAnnouncement: Final = slot_setters(NodeAnnouncement)


@dataclass(frozen=True, slots=True)
class ChannelUpdate:
    """Message `channel_update` (type 258)."""

    TYPE: ClassVar[int] = 258
    NAME: ClassVar[str] = 'channel_update'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('signature', 'signature', None, None, None, None),
        Field('chain_hash', 'chain_hash', None, None, None, None),
        Field('short_channel_id', 'short_channel_id', None, None, None, None),
        Field('timestamp', 'u32', None, None, None, None),
        Field('message_flags', 'byte', None, None, None, None),
        Field('channel_flags', 'byte', None, None, None, None),
        Field('cltv_expiry_delta', 'u16', None, None, None, None),
        Field('htlc_minimum_msat', 'u64', None, None, None, None),
        Field('fee_base_msat', 'u32', None, None, None, None),
        Field('fee_proportional_millionths', 'u32', None, None, None, None),
        Field('htlc_maximum_msat', 'u64', None, None, None, None),
        Field('extension', 'extension'),
    )

    signature: bytes
    chain_hash: bytes
    short_channel_id: ShortChannelId
    timestamp: int
    message_flags: int
    channel_flags: int
    cltv_expiry_delta: int
    htlc_minimum_msat: Msat
    fee_base_msat: Msat
    fee_proportional_millionths: int
    htlc_maximum_msat: Msat
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S82.pack(258, check_len(self.signature, 64, 'channel_update.signature'), check_len(self.chain_hash, 32, 'channel_update.chain_hash'), self.short_channel_id, self.timestamp, self.message_flags, self.channel_flags, self.cltv_expiry_delta, self.htlc_minimum_msat, self.fee_base_msat, self.fee_proportional_millionths, self.htlc_maximum_msat),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('channel_update', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 136:
            raise truncated('channel_update', 136, e)
        f_signature, f_chain_hash, f_short_channel_id, f_timestamp, f_message_flags, f_channel_flags, f_cltv_expiry_delta, f_htlc_minimum_msat, f_fee_base_msat, f_fee_proportional_millionths, f_htlc_maximum_msat = _S83.unpack_from(d, 0)
        f_extension = d[136:] if e > 136 else b""
        if cls is not ChannelUpdate:  # a subclass: use its __init__
            return cls(f_signature, f_chain_hash, f_short_channel_id, f_timestamp, f_message_flags, f_channel_flags, f_cltv_expiry_delta, f_htlc_minimum_msat, f_fee_base_msat, f_fee_proportional_millionths, f_htlc_maximum_msat, f_extension)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11 = _SET_ChannelUpdate
        s0(o, f_signature)
        s1(o, f_chain_hash)
        s2(o, f_short_channel_id)
        s3(o, f_timestamp)
        s4(o, f_message_flags)
        s5(o, f_channel_flags)
        s6(o, f_cltv_expiry_delta)
        s7(o, f_htlc_minimum_msat)
        s8(o, f_fee_base_msat)
        s9(o, f_fee_proportional_millionths)
        s10(o, f_htlc_maximum_msat)
        s11(o, f_extension)
        return o


_SET_ChannelUpdate: Final = slot_setters(ChannelUpdate)


@dataclass(frozen=True, slots=True)
class QueryShortChannelIds:
    """Message `query_short_channel_ids` (type 261)."""

    TYPE: ClassVar[int] = 261
    NAME: ClassVar[str] = 'query_short_channel_ids'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('chain_hash', 'chain_hash', None, None, None, None),
        Field('encoded_short_ids', 'byte', 'len', 'u16', None, None),
        Field('tlvs', 'query_short_channel_ids_tlvs', None, None, QueryShortChannelIdsTlvs, None),
    )

    chain_hash: bytes
    encoded_short_ids: bytes
    tlvs: QueryShortChannelIdsTlvs = _EMPTY_QueryShortChannelIdsTlvs

    def encode(self) -> bytes:
        try:
            x_encoded_short_ids = self.encoded_short_ids
            return b"".join((
                _S21.pack(261, check_len(self.chain_hash, 32, 'query_short_channel_ids.chain_hash'), len(x_encoded_short_ids)),
                x_encoded_short_ids,
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('query_short_channel_ids', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 34:
            raise truncated('query_short_channel_ids', 34, e)
        f_chain_hash, n_len = _S22.unpack_from(d, 0)
        p = 34
        q = p + n_len
        if q > e:
            raise truncated('query_short_channel_ids.encoded_short_ids', n_len, e - p)
        f_encoded_short_ids = d[p:q]
        p = q
        f_tlvs = QueryShortChannelIdsTlvs.decode(d[p:e]) if p < e else _EMPTY_QueryShortChannelIdsTlvs
        p = e
        if cls is not QueryShortChannelIds:  # a subclass: use its __init__
            return cls(f_chain_hash, f_encoded_short_ids, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_QueryShortChannelIds
        s0(o, f_chain_hash)
        s1(o, f_encoded_short_ids)
        s2(o, f_tlvs)
        return o


_SET_QueryShortChannelIds: Final = slot_setters(QueryShortChannelIds)


@dataclass(frozen=True, slots=True)
class ReplyShortChannelIdsEnd:
    """Message `reply_short_channel_ids_end` (type 262)."""

    TYPE: ClassVar[int] = 262
    NAME: ClassVar[str] = 'reply_short_channel_ids_end'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('chain_hash', 'chain_hash', None, None, None, None),
        Field('full_information', 'byte', None, None, None, None),
        Field('extension', 'extension'),
    )

    chain_hash: bytes
    full_information: int
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S49.pack(262, check_len(self.chain_hash, 32, 'reply_short_channel_ids_end.chain_hash'), self.full_information),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('reply_short_channel_ids_end', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 33:
            raise truncated('reply_short_channel_ids_end', 33, e)
        f_chain_hash, f_full_information = _S12.unpack_from(d, 0)
        f_extension = d[33:] if e > 33 else b""
        if cls is not ReplyShortChannelIdsEnd:  # a subclass: use its __init__
            return cls(f_chain_hash, f_full_information, f_extension)
        o = object.__new__(cls)
        s0, s1, s2 = _SET_ReplyShortChannelIdsEnd
        s0(o, f_chain_hash)
        s1(o, f_full_information)
        s2(o, f_extension)
        return o


_SET_ReplyShortChannelIdsEnd: Final = slot_setters(ReplyShortChannelIdsEnd)


@dataclass(frozen=True, slots=True)
class QueryChannelRange:
    """Message `query_channel_range` (type 263)."""

    TYPE: ClassVar[int] = 263
    NAME: ClassVar[str] = 'query_channel_range'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('chain_hash', 'chain_hash', None, None, None, None),
        Field('first_blocknum', 'u32', None, None, None, None),
        Field('number_of_blocks', 'u32', None, None, None, None),
        Field('tlvs', 'query_channel_range_tlvs', None, None, QueryChannelRangeTlvs, None),
    )

    chain_hash: bytes
    first_blocknum: int
    number_of_blocks: int
    tlvs: QueryChannelRangeTlvs = _EMPTY_QueryChannelRangeTlvs

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S33.pack(263, check_len(self.chain_hash, 32, 'query_channel_range.chain_hash'), self.first_blocknum, self.number_of_blocks),
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('query_channel_range', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 40:
            raise truncated('query_channel_range', 40, e)
        f_chain_hash, f_first_blocknum, f_number_of_blocks = _S34.unpack_from(d, 0)
        p = 40
        f_tlvs = QueryChannelRangeTlvs.decode(d[p:e]) if p < e else _EMPTY_QueryChannelRangeTlvs
        p = e
        if cls is not QueryChannelRange:  # a subclass: use its __init__
            return cls(f_chain_hash, f_first_blocknum, f_number_of_blocks, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_QueryChannelRange
        s0(o, f_chain_hash)
        s1(o, f_first_blocknum)
        s2(o, f_number_of_blocks)
        s3(o, f_tlvs)
        return o


_SET_QueryChannelRange: Final = slot_setters(QueryChannelRange)


@dataclass(frozen=True, slots=True)
class ReplyChannelRange:
    """Message `reply_channel_range` (type 264)."""

    TYPE: ClassVar[int] = 264
    NAME: ClassVar[str] = 'reply_channel_range'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('chain_hash', 'chain_hash', None, None, None, None),
        Field('first_blocknum', 'u32', None, None, None, None),
        Field('number_of_blocks', 'u32', None, None, None, None),
        Field('sync_complete', 'byte', None, None, None, None),
        Field('encoded_short_ids', 'byte', 'len', 'u16', None, None),
        Field('tlvs', 'reply_channel_range_tlvs', None, None, ReplyChannelRangeTlvs, None),
    )

    chain_hash: bytes
    first_blocknum: int
    number_of_blocks: int
    sync_complete: int
    encoded_short_ids: bytes
    tlvs: ReplyChannelRangeTlvs = _EMPTY_ReplyChannelRangeTlvs

    def encode(self) -> bytes:
        try:
            x_encoded_short_ids = self.encoded_short_ids
            return b"".join((
                _S84.pack(264, check_len(self.chain_hash, 32, 'reply_channel_range.chain_hash'), self.first_blocknum, self.number_of_blocks, self.sync_complete, len(x_encoded_short_ids)),
                x_encoded_short_ids,
                self.tlvs.encode(),
            ))
        except struct.error as exc:
            raise encode_failed('reply_channel_range', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 43:
            raise truncated('reply_channel_range', 43, e)
        f_chain_hash, f_first_blocknum, f_number_of_blocks, f_sync_complete, n_len = _S85.unpack_from(d, 0)
        p = 43
        q = p + n_len
        if q > e:
            raise truncated('reply_channel_range.encoded_short_ids', n_len, e - p)
        f_encoded_short_ids = d[p:q]
        p = q
        f_tlvs = ReplyChannelRangeTlvs.decode(d[p:e]) if p < e else _EMPTY_ReplyChannelRangeTlvs
        p = e
        if cls is not ReplyChannelRange:  # a subclass: use its __init__
            return cls(f_chain_hash, f_first_blocknum, f_number_of_blocks, f_sync_complete, f_encoded_short_ids, f_tlvs)
        o = object.__new__(cls)
        s0, s1, s2, s3, s4, s5 = _SET_ReplyChannelRange
        s0(o, f_chain_hash)
        s1(o, f_first_blocknum)
        s2(o, f_number_of_blocks)
        s3(o, f_sync_complete)
        s4(o, f_encoded_short_ids)
        s5(o, f_tlvs)
        return o


_SET_ReplyChannelRange: Final = slot_setters(ReplyChannelRange)


@dataclass(frozen=True, slots=True)
class GossipTimestampFilter:
    """Message `gossip_timestamp_filter` (type 265)."""

    TYPE: ClassVar[int] = 265
    NAME: ClassVar[str] = 'gossip_timestamp_filter'
    CHANNEL_ID_FIELD: ClassVar[str | None] = None
    OPTION: ClassVar[str | None] = None
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field('chain_hash', 'chain_hash', None, None, None, None),
        Field('first_timestamp', 'u32', None, None, None, None),
        Field('timestamp_range', 'u32', None, None, None, None),
        Field('extension', 'extension'),
    )

    chain_hash: bytes
    first_timestamp: int
    timestamp_range: int
    extension: bytes = b""

    def encode(self) -> bytes:
        try:
            return b"".join((
                _S33.pack(265, check_len(self.chain_hash, 32, 'gossip_timestamp_filter.chain_hash'), self.first_timestamp, self.timestamp_range),
                self.extension,
            ))
        except struct.error as exc:
            raise encode_failed('gossip_timestamp_filter', exc) from None

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        d = payload
        e = len(d)
        if e < 40:
            raise truncated('gossip_timestamp_filter', 40, e)
        f_chain_hash, f_first_timestamp, f_timestamp_range = _S34.unpack_from(d, 0)
        f_extension = d[40:] if e > 40 else b""
        if cls is not GossipTimestampFilter:  # a subclass: use its __init__
            return cls(f_chain_hash, f_first_timestamp, f_timestamp_range, f_extension)
        o = object.__new__(cls)
        s0, s1, s2, s3 = _SET_GossipTimestampFilter
        s0(o, f_chain_hash)
        s1(o, f_first_timestamp)
        s2(o, f_timestamp_range)
        s3(o, f_extension)
        return o


_SET_GossipTimestampFilter: Final = slot_setters(GossipTimestampFilter)


MESSAGE_CLASSES: Final = (
    Init,
    Error,
    WarningMsg,
    Ping,
    Pong,
    PeerStorage,
    PeerStorageRetrieval,
    TxAddInput,
    TxAddOutput,
    TxRemoveInput,
    TxRemoveOutput,
    TxComplete,
    TxSignatures,
    TxInitRbf,
    TxAckRbf,
    TxAbort,
    OpenChannel,
    AcceptChannel,
    FundingCreated,
    FundingSigned,
    ChannelReady,
    OpenChannel2,
    AcceptChannel2,
    Stfu,
    SpliceInit,
    SpliceAck,
    SpliceLocked,
    Shutdown,
    ClosingComplete,
    ClosingSig,
    ClosingSigned,
    UpdateAddHtlc,
    UpdateFulfillHtlc,
    UpdateFailHtlc,
    UpdateFailMalformedHtlc,
    StartBatch,
    CommitmentSigned,
    RevokeAndAck,
    UpdateFee,
    ChannelReestablish,
    OnionMessage,
    AnnouncementSignatures,
    ChannelAnnouncement,
    NodeAnnouncement,
    ChannelUpdate,
    QueryShortChannelIds,
    ReplyShortChannelIdsEnd,
    QueryChannelRange,
    ReplyChannelRange,
    GossipTimestampFilter,
)

SUBTYPE_CLASSES: Final = (
    Witness,
    OnionPacket,
    BlindedPath,
    BlindedPathHop,
    OnionMessagePacket,
    ChannelUpdateTimestamps,
    ChannelUpdateChecksums,
    BlindedPayinfo,
    FallbackAddress,
)

RECORD_CLASSES: Final = (
    Tlv3,
    FeeRange,
    AttributionData,
    NextFunding,
    MyCurrentFundingLocked,
    PaymentData,
    PaymentRelay,
    PaymentConstraints,
    QueryFlags,
    TimestampsTlv,
    InvreqBip353Name,
)

TLV_STREAM_CLASSES: Final = (
    InitTlvs,
    N1,
    N2,
    TxAddInputTlvs,
    TxSignaturesTlvs,
    TxInitRbfTlvs,
    TxAckRbfTlvs,
    OpenChannelTlvs,
    AcceptChannelTlvs,
    ChannelReadyTlvs,
    OpeningTlvs,
    AcceptTlvs,
    SpliceInitTlvs,
    SpliceAckTlvs,
    ClosingTlvs,
    ClosingSignedTlvs,
    UpdateAddHtlcTlvs,
    UpdateFulfillHtlcTlvs,
    UpdateFailHtlcTlvs,
    StartBatchTlvs,
    CommitmentSignedTlvs,
    ChannelReestablishTlvs,
    Payload,
    EncryptedDataTlv,
    OnionmsgTlv,
    QueryShortChannelIdsTlvs,
    QueryChannelRangeTlvs,
    ReplyChannelRangeTlvs,
    Offer,
    InvoiceRequest,
    Invoice,
    InvoiceError,
)

