"""BIP 174 Partially Signed Bitcoin Transactions, version 0.

`Psbt.parse`/`serialize` (and base64), the roles a Lightning node needs: creator
(`Psbt.from_unsigned_tx`), signer (`sign_with_key`, `add_signature`), `combine`,
input finalizer (`finalize`: P2WPKH, P2SH-P2WPKH, P2PKH, multisig in P2SH/P2WSH/P2SH-P2WSH,
taproot key path) and transaction extractor (`extract`). Every record amiko does not
interpret is kept, byte for byte, in `unknown` and written back.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

import coincurve

from amiko.bitcoin.bip32 import Bip32Error, ExtendedPublicKey, deserialize_extended_key
from amiko.bitcoin.script import (
    OP_0,
    OP_1,
    OP_16,
    OP_CHECKMULTISIG,
    OP_CHECKSIG,
    hash160,
    is_p2tr,
    is_p2wpkh,
    is_p2wsh,
    push_data,
    sha256,
    witness_program,
)
from amiko.bitcoin.sighash import (
    SIGHASH_ALL,
    SighashError,
    bip143_sighash,
    der_sig_with_hashtype,
    iter_script_ops,
    legacy_sighash,
)
from amiko.bitcoin.tx import (
    ByteReader,
    OutPoint,
    Transaction,
    TxDecodeError,
    TxIn,
    TxOut,
    ser_bytes,
    ser_compact_size,
)

MAGIC = b"psbt\xff"

PSBT_GLOBAL_UNSIGNED_TX = 0x00
PSBT_GLOBAL_XPUB = 0x01
PSBT_GLOBAL_VERSION = 0xFB

PSBT_IN_NON_WITNESS_UTXO = 0x00
PSBT_IN_WITNESS_UTXO = 0x01
PSBT_IN_PARTIAL_SIG = 0x02
PSBT_IN_SIGHASH_TYPE = 0x03
PSBT_IN_REDEEM_SCRIPT = 0x04
PSBT_IN_WITNESS_SCRIPT = 0x05
PSBT_IN_BIP32_DERIVATION = 0x06
PSBT_IN_FINAL_SCRIPTSIG = 0x07
PSBT_IN_FINAL_SCRIPTWITNESS = 0x08
PSBT_IN_TAP_KEY_SIG = 0x13  # BIP 371; kept in `unknown`, used by the finalizer
_PSBT_IN_TAPROOT_TYPES = range(0x13, 0x19)

PSBT_OUT_REDEEM_SCRIPT = 0x00
PSBT_OUT_WITNESS_SCRIPT = 0x01
PSBT_OUT_BIP32_DERIVATION = 0x02


T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


class PsbtError(ValueError):
    """A malformed PSBT, or one that does not allow the requested role (sign, finalize...)."""


@dataclass(frozen=True, slots=True)
class KeyOrigin:
    """Master key fingerprint and derivation path of a key (BIP 32 derivation records)."""

    fingerprint: bytes
    path: tuple[int, ...]

    def serialize(self) -> bytes:
        return self.fingerprint + b"".join(struct.pack("<I", i) for i in self.path)

    @classmethod
    def parse(cls, value: bytes) -> KeyOrigin:
        if len(value) < 4 or len(value) % 4:
            raise PsbtError("key origin must be a fingerprint and 4-byte path elements")
        path = tuple(struct.unpack_from("<I", value, k)[0] for k in range(4, len(value), 4))
        return cls(value[:4], path)


@dataclass(frozen=True)
class PsbtInput:
    non_witness_utxo: Transaction | None = None
    witness_utxo: TxOut | None = None
    partial_sigs: Mapping[bytes, bytes] = field(default_factory=dict)  # pubkey -> sig+hashtype
    sighash_type: int | None = None
    redeem_script: bytes | None = None
    witness_script: bytes | None = None
    bip32_derivations: Mapping[bytes, KeyOrigin] = field(default_factory=dict)
    final_script_sig: bytes | None = None
    final_script_witness: tuple[bytes, ...] | None = None
    unknown: Mapping[bytes, bytes] = field(default_factory=dict)  # whole key -> value

    @property
    def is_finalized(self) -> bool:
        return self.final_script_sig is not None or self.final_script_witness is not None

    def utxo(self, prevout: OutPoint) -> TxOut | None:
        """The output this input spends, from witness_utxo or non_witness_utxo."""
        if self.witness_utxo is not None:
            return self.witness_utxo
        if self.non_witness_utxo is not None and prevout.index < len(self.non_witness_utxo.outputs):
            return self.non_witness_utxo.outputs[prevout.index]
        return None


@dataclass(frozen=True)
class PsbtOutput:
    redeem_script: bytes | None = None
    witness_script: bytes | None = None
    bip32_derivations: Mapping[bytes, KeyOrigin] = field(default_factory=dict)
    unknown: Mapping[bytes, bytes] = field(default_factory=dict)


# -- parsing helpers -------------------------------------------------------------------------

def _read_map(r: ByteReader) -> list[tuple[int, bytes, bytes, bytes]]:
    """Records of one map until its 0x00 separator: (keytype, keydata, whole key, value)."""
    records: list[tuple[int, bytes, bytes, bytes]] = []
    seen: set[bytes] = set()
    while True:
        key = r.var_bytes()
        if not key:
            return records
        kr = ByteReader(key)
        keytype = kr.compact_size()
        keydata = key[kr.pos:]
        if key in seen:
            raise PsbtError(f"duplicate key {key.hex()}")
        seen.add(key)
        records.append((keytype, keydata, key, r.var_bytes()))


def _no_keydata(keydata: bytes, what: str) -> None:
    if keydata:
        raise PsbtError(f"{what} key must have no key data")


def _pubkey_keydata(keydata: bytes, what: str) -> bytes:
    if len(keydata) not in (33, 65):
        raise PsbtError(f"{what} key must be a 33 or 65-byte public key")
    try:
        coincurve.PublicKey(keydata)
    except ValueError:
        raise PsbtError(f"{what} key is not a valid public key") from None
    return keydata


def _parse_legacy_tx(data: bytes) -> Transaction:
    """The unsigned transaction: always the non-witness serialization (BIP 174)."""
    r = ByteReader(data)
    version = r.i32()
    inputs = []
    for _ in range(r.compact_size()):
        prevout = OutPoint(r.read(32), r.u32())
        inputs.append(TxIn(prevout, r.var_bytes(), r.u32()))
    outputs = []
    for _ in range(r.compact_size()):
        value = int(struct.unpack("<q", r.read(8))[0])
        outputs.append(TxOut(value, r.var_bytes()))
    locktime = r.u32()
    if not r.at_end():
        raise PsbtError("unsigned transaction has trailing data (witness serialization?)")
    return Transaction(version, tuple(inputs), tuple(outputs), locktime)


def _parse_txout(value: bytes) -> TxOut:
    r = ByteReader(value)
    out = TxOut(int(struct.unpack("<q", r.read(8))[0]), r.var_bytes())
    if not r.at_end():
        raise PsbtError("witness utxo has trailing data")
    return out


def _parse_witness(value: bytes) -> tuple[bytes, ...]:
    r = ByteReader(value)
    items = tuple(r.var_bytes() for _ in range(r.compact_size()))
    if not r.at_end():
        raise PsbtError("final script witness has trailing data")
    return items


def _ser_witness(items: Sequence[bytes]) -> bytes:
    return ser_compact_size(len(items)) + b"".join(ser_bytes(i) for i in items)


def _parse_input(records: list[tuple[int, bytes, bytes, bytes]]) -> PsbtInput:
    non_witness_utxo: Transaction | None = None
    witness_utxo: TxOut | None = None
    sighash_type: int | None = None
    redeem_script: bytes | None = None
    witness_script: bytes | None = None
    final_script_sig: bytes | None = None
    final_script_witness: tuple[bytes, ...] | None = None
    sigs: dict[bytes, bytes] = {}
    derivs: dict[bytes, KeyOrigin] = {}
    unknown: dict[bytes, bytes] = {}
    for keytype, keydata, key, value in records:
        if keytype == PSBT_IN_NON_WITNESS_UTXO:
            _no_keydata(keydata, "non-witness utxo")
            non_witness_utxo = Transaction.parse(value)
        elif keytype == PSBT_IN_WITNESS_UTXO:
            _no_keydata(keydata, "witness utxo")
            witness_utxo = _parse_txout(value)
        elif keytype == PSBT_IN_PARTIAL_SIG:
            sigs[_pubkey_keydata(keydata, "partial signature")] = value
        elif keytype == PSBT_IN_SIGHASH_TYPE:
            _no_keydata(keydata, "sighash type")
            if len(value) != 4:
                raise PsbtError("sighash type must be 4 bytes")
            sighash_type = int(struct.unpack("<I", value)[0])
        elif keytype == PSBT_IN_REDEEM_SCRIPT:
            _no_keydata(keydata, "input redeem script")
            redeem_script = value
        elif keytype == PSBT_IN_WITNESS_SCRIPT:
            _no_keydata(keydata, "input witness script")
            witness_script = value
        elif keytype == PSBT_IN_BIP32_DERIVATION:
            derivs[_pubkey_keydata(keydata, "input BIP 32 derivation")] = KeyOrigin.parse(value)
        elif keytype == PSBT_IN_FINAL_SCRIPTSIG:
            _no_keydata(keydata, "final scriptSig")
            final_script_sig = value
        elif keytype == PSBT_IN_FINAL_SCRIPTWITNESS:
            _no_keydata(keydata, "final script witness")
            final_script_witness = _parse_witness(value)
        else:
            unknown[key] = value
    return PsbtInput(non_witness_utxo, witness_utxo, sigs, sighash_type, redeem_script,
                     witness_script, derivs, final_script_sig, final_script_witness, unknown)


def _parse_output(records: list[tuple[int, bytes, bytes, bytes]]) -> PsbtOutput:
    redeem_script: bytes | None = None
    witness_script: bytes | None = None
    derivs: dict[bytes, KeyOrigin] = {}
    unknown: dict[bytes, bytes] = {}
    for keytype, keydata, key, value in records:
        if keytype == PSBT_OUT_REDEEM_SCRIPT:
            _no_keydata(keydata, "output redeem script")
            redeem_script = value
        elif keytype == PSBT_OUT_WITNESS_SCRIPT:
            _no_keydata(keydata, "output witness script")
            witness_script = value
        elif keytype == PSBT_OUT_BIP32_DERIVATION:
            derivs[_pubkey_keydata(keydata, "output BIP 32 derivation")] = KeyOrigin.parse(value)
        else:
            unknown[key] = value
    return PsbtOutput(redeem_script, witness_script, derivs, unknown)


def _record(keytype: int, keydata: bytes, value: bytes) -> bytes:
    return ser_bytes(ser_compact_size(keytype) + keydata) + ser_bytes(value)


# -- the PSBT --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Psbt:
    tx: Transaction  # the unsigned transaction: empty scriptSigs and witnesses
    inputs: tuple[PsbtInput, ...]
    outputs: tuple[PsbtOutput, ...]
    xpubs: Mapping[bytes, KeyOrigin] = field(default_factory=dict)  # 78-byte xpub -> origin
    version: int | None = None
    unknown: Mapping[bytes, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.inputs) != len(self.tx.inputs) or len(self.outputs) != len(self.tx.outputs):
            raise PsbtError("one input map per input and one output map per output")
        for txin in self.tx.inputs:
            if txin.script_sig or txin.witness:
                raise PsbtError("unsigned transaction has a scriptSig or witness")

    @classmethod
    def from_unsigned_tx(cls, tx: Transaction) -> Psbt:
        """Creator: a PSBT with empty maps for `tx` (scriptSigs and witnesses are dropped)."""
        bare = Transaction(tx.version, tuple(TxIn(i.prevout, b"", i.sequence) for i in tx.inputs),
                           tx.outputs, tx.locktime)
        return cls(bare, tuple(PsbtInput() for _ in bare.inputs),
                   tuple(PsbtOutput() for _ in bare.outputs))

    # -- encoding

    @classmethod
    def parse(cls, data: bytes) -> Psbt:
        if not data.startswith(MAGIC):
            raise PsbtError("missing PSBT magic bytes")
        r = ByteReader(data, len(MAGIC))
        try:
            tx: Transaction | None = None
            xpubs: dict[bytes, KeyOrigin] = {}
            version: int | None = None
            unknown: dict[bytes, bytes] = {}
            for keytype, keydata, key, value in _read_map(r):
                if keytype == PSBT_GLOBAL_UNSIGNED_TX:
                    _no_keydata(keydata, "unsigned transaction")
                    tx = _parse_legacy_tx(value)
                elif keytype == PSBT_GLOBAL_XPUB:
                    xpubs[_parse_xpub_key(keydata, value)] = KeyOrigin.parse(value)
                elif keytype == PSBT_GLOBAL_VERSION:
                    _no_keydata(keydata, "version")
                    if len(value) != 4:
                        raise PsbtError("version must be 4 bytes")
                    version = struct.unpack("<I", value)[0]
                    if version != 0:
                        raise PsbtError(f"unsupported PSBT version {version}")
                else:
                    unknown[key] = value
            if tx is None:
                raise PsbtError("no unsigned transaction")
            for txin in tx.inputs:
                if txin.script_sig:
                    raise PsbtError("unsigned transaction has a non-empty scriptSig")
            inputs = tuple(_parse_input(_read_map(r)) for _ in tx.inputs)
            outputs = tuple(_parse_output(_read_map(r)) for _ in tx.outputs)
        except TxDecodeError as e:
            raise PsbtError(f"malformed PSBT: {e}") from e
        if not r.at_end():
            raise PsbtError("trailing data after PSBT")
        for txin, inp in zip(tx.inputs, inputs, strict=True):
            if inp.non_witness_utxo is not None:
                if inp.non_witness_utxo.txid != txin.prevout.txid:
                    raise PsbtError("non-witness utxo does not match the outpoint")
                if txin.prevout.index >= len(inp.non_witness_utxo.outputs):
                    raise PsbtError("non-witness utxo has no output at the spent index")
        return cls(tx, inputs, outputs, xpubs, version, unknown)

    @classmethod
    def from_base64(cls, s: str) -> Psbt:
        try:
            raw = base64.b64decode(s.strip(), validate=True)
        except (binascii.Error, ValueError) as e:
            raise PsbtError(f"not base64: {e}") from e
        return cls.parse(raw)

    def serialize(self) -> bytes:
        out = [MAGIC, _record(PSBT_GLOBAL_UNSIGNED_TX, b"", self.tx.serialize(with_witness=False))]
        out += [_record(PSBT_GLOBAL_XPUB, x, o.serialize()) for x, o in self.xpubs.items()]
        if self.version is not None:
            out.append(_record(PSBT_GLOBAL_VERSION, b"", struct.pack("<I", self.version)))
        out += [ser_bytes(k) + ser_bytes(v) for k, v in self.unknown.items()]
        out.append(b"\x00")
        for inp in self.inputs:
            if inp.non_witness_utxo is not None:
                out.append(_record(PSBT_IN_NON_WITNESS_UTXO, b"", inp.non_witness_utxo.serialize()))
            if inp.witness_utxo is not None:
                out.append(_record(PSBT_IN_WITNESS_UTXO, b"", inp.witness_utxo.serialize()))
            out += [_record(PSBT_IN_PARTIAL_SIG, pk, sig) for pk, sig in inp.partial_sigs.items()]
            if inp.sighash_type is not None:
                out.append(_record(PSBT_IN_SIGHASH_TYPE, b"", struct.pack("<I", inp.sighash_type)))
            if inp.redeem_script is not None:
                out.append(_record(PSBT_IN_REDEEM_SCRIPT, b"", inp.redeem_script))
            if inp.witness_script is not None:
                out.append(_record(PSBT_IN_WITNESS_SCRIPT, b"", inp.witness_script))
            out += [_record(PSBT_IN_BIP32_DERIVATION, pk, o.serialize())
                    for pk, o in inp.bip32_derivations.items()]
            if inp.final_script_sig is not None:
                out.append(_record(PSBT_IN_FINAL_SCRIPTSIG, b"", inp.final_script_sig))
            if inp.final_script_witness is not None:
                out.append(_record(PSBT_IN_FINAL_SCRIPTWITNESS, b"",
                                   _ser_witness(inp.final_script_witness)))
            out += [ser_bytes(k) + ser_bytes(v) for k, v in inp.unknown.items()]
            out.append(b"\x00")
        for o in self.outputs:
            if o.redeem_script is not None:
                out.append(_record(PSBT_OUT_REDEEM_SCRIPT, b"", o.redeem_script))
            if o.witness_script is not None:
                out.append(_record(PSBT_OUT_WITNESS_SCRIPT, b"", o.witness_script))
            out += [_record(PSBT_OUT_BIP32_DERIVATION, pk, ko.serialize())
                    for pk, ko in o.bip32_derivations.items()]
            out += [ser_bytes(k) + ser_bytes(v) for k, v in o.unknown.items()]
            out.append(b"\x00")
        return b"".join(out)

    def to_base64(self) -> str:
        return base64.b64encode(self.serialize()).decode("ascii")

    # -- functional updates

    def with_input(self, index: int, inp: PsbtInput) -> Psbt:
        inputs = list(self.inputs)
        inputs[index] = inp
        return replace(self, inputs=tuple(inputs))

    def with_output(self, index: int, out: PsbtOutput) -> Psbt:
        outputs = list(self.outputs)
        outputs[index] = out
        return replace(self, outputs=tuple(outputs))

    # -- inspection

    def spent_output(self, index: int) -> TxOut | None:
        return self.inputs[index].utxo(self.tx.inputs[index].prevout)

    def fee(self) -> int | None:
        """Inputs minus outputs in sat, or None if an input's value is unknown."""
        total = 0
        for k in range(len(self.inputs)):
            utxo = self.spent_output(k)
            if utxo is None:
                return None
            total += utxo.value
        return total - sum(o.value for o in self.tx.outputs)

    @property
    def is_complete(self) -> bool:
        return all(i.is_finalized for i in self.inputs)

    # -- signer

    def input_sighash(self, index: int, sighash_type: int | None = None) -> bytes:
        """The digest a signature for input `index` commits to (legacy or BIP 143).

        Checks what BIP 174 asks a signer to check: the non-witness utxo matches the
        outpoint, the redeem script matches the P2SH output and the witness script the
        P2WSH program. Taproot inputs are not signed here.
        """
        inp = self.inputs[index]
        if inp.is_finalized:
            raise PsbtError(f"input {index} is already finalized")
        sht = sighash_type if sighash_type is not None else inp.sighash_type or SIGHASH_ALL
        if inp.sighash_type is not None and sht != inp.sighash_type:
            raise PsbtError(f"input {index} requires sighash type {inp.sighash_type:#x}")
        utxo = self.spent_output(index)
        if utxo is None:
            raise PsbtError(f"input {index} has no utxo")
        script = utxo.script_pubkey
        if _is_p2sh(script):
            if inp.redeem_script is None or hash160(inp.redeem_script) != script[2:22]:
                raise PsbtError(f"input {index}: redeem script does not match the scriptPubKey")
            script = inp.redeem_script
        if is_p2wpkh(script) or is_p2wsh(script):
            if inp.witness_utxo is None and inp.non_witness_utxo is None:
                raise PsbtError(f"input {index} has no utxo")
            if is_p2wpkh(script):
                code = _p2pkh_from_hash(script[2:])
            else:
                if inp.witness_script is None or sha256(inp.witness_script) != script[2:]:
                    raise PsbtError(f"input {index}: witness script does not match")
                code = inp.witness_script
            return bip143_sighash(self.tx, index, code, utxo.value, sht)
        program = witness_program(script)
        if program is not None and program[0] >= 1:
            raise PsbtError(f"input {index}: taproot and future segwit inputs are not signed here")
        if inp.non_witness_utxo is None:
            raise PsbtError(f"input {index} is not segwit and has no non-witness utxo")
        try:
            return legacy_sighash(self.tx, index, script, sht)
        except SighashError as e:
            raise PsbtError(str(e)) from e

    def add_signature(self, index: int, pubkey: bytes, signature: bytes) -> Psbt:
        """Record a partial signature (DER + sighash byte) for `pubkey` on input `index`."""
        inp = self.inputs[index]
        sigs = dict(inp.partial_sigs)
        sigs[pubkey] = signature
        return self.with_input(index, replace(inp, partial_sigs=sigs))

    def sign_input(self, index: int, privkey: bytes, sighash_type: int | None = None) -> Psbt:
        """Sign input `index` with a 32-byte secret key (RFC 6979 nonce, low S)."""
        inp = self.inputs[index]
        sht = sighash_type if sighash_type is not None else inp.sighash_type or SIGHASH_ALL
        digest = self.input_sighash(index, sht)
        key = coincurve.PrivateKey(privkey)
        sig = der_sig_with_hashtype(key.sign(digest, hasher=None), sht)
        return self.add_signature(index, key.public_key.format(compressed=True), sig)

    def sign_with_key(self, privkey: bytes) -> Psbt:
        """Signer: sign every unfinalized input whose scripts or derivations name this key."""
        pub = coincurve.PrivateKey(privkey).public_key.format(compressed=True)
        psbt = self
        for k, inp in enumerate(self.inputs):
            if not inp.is_finalized and self._input_involves(k, pub):
                psbt = psbt.sign_input(k, privkey)
        return psbt

    def _input_involves(self, index: int, pubkey: bytes) -> bool:
        inp = self.inputs[index]
        if pubkey in inp.bip32_derivations:
            return True
        for script in (inp.redeem_script, inp.witness_script):
            if script is not None and pubkey in _pushes(script):
                return True
        utxo = self.spent_output(index)
        if utxo is None:
            return False
        spk = utxo.script_pubkey
        h = hash160(pubkey)
        redeem = inp.redeem_script or b""
        return (is_p2wpkh(spk) and spk[2:] == h) or (is_p2wpkh(redeem) and redeem[2:] == h) or (
            _is_p2pkh(spk) and spk[3:23] == h)

    # -- finalizer and extractor

    def finalize(self) -> Psbt:
        """Input finalizer: finalize every input that has what it needs; leave the others."""
        psbt = self
        for k in range(len(self.inputs)):
            if not self.inputs[k].is_finalized:
                done = _finalize_input(self, k)
                if done is not None:
                    psbt = psbt.with_input(k, done)
        return psbt

    def extract(self) -> Transaction:
        """Transaction extractor: the network transaction, once every input is finalized."""
        inputs = []
        for k, (txin, inp) in enumerate(zip(self.tx.inputs, self.inputs, strict=True)):
            if not inp.is_finalized:
                raise PsbtError(f"input {k} is not finalized")
            inputs.append(TxIn(txin.prevout, inp.final_script_sig or b"", txin.sequence,
                               inp.final_script_witness or ()))
        return Transaction(self.tx.version, tuple(inputs), self.tx.outputs, self.tx.locktime)


def _parse_xpub_key(keydata: bytes, value: bytes) -> bytes:
    if len(keydata) != 78:
        raise PsbtError("global xpub key must be a 78-byte extended public key")
    try:
        key = deserialize_extended_key(keydata)
    except Bip32Error as e:
        raise PsbtError(f"invalid global xpub: {e}") from e
    if not isinstance(key, ExtendedPublicKey):
        raise PsbtError("global xpub is a private key")
    if (len(value) - 4) // 4 != key.depth:
        raise PsbtError("global xpub derivation path length does not match its depth")
    return keydata


def _is_p2sh(spk: bytes) -> bool:
    return len(spk) == 23 and spk[0] == 0xA9 and spk[1] == 20 and spk[22] == 0x87


def _is_p2pkh(spk: bytes) -> bool:
    return len(spk) == 25 and spk[:3] == b"\x76\xa9\x14" and spk[23:] == b"\x88\xac"


def _p2pkh_from_hash(h: bytes) -> bytes:
    return b"\x76\xa9\x14" + h + b"\x88\xac"


def _pushes(script: bytes) -> list[bytes]:
    try:
        return [d for _, d, _ in iter_script_ops(script) if d is not None]
    except SighashError:
        return []


def _small_int(op: int) -> int | None:
    return op - OP_1 + 1 if OP_1 <= op <= OP_16 else None


def _multisig(script: bytes) -> tuple[int, list[bytes]] | None:
    """(m, pubkeys) of `OP_m <pk>... OP_n OP_CHECKMULTISIG`, else None."""
    try:
        ops = list(iter_script_ops(script))
    except SighashError:
        return None
    if len(ops) < 4 or ops[-1][0] != OP_CHECKMULTISIG:
        return None
    m, n = _small_int(ops[0][0]), _small_int(ops[-2][0])
    keys = [d for _, d, _ in ops[1:-2]]
    if m is None or n is None or n != len(keys) or m > n or any(k is None for k in keys):
        return None
    return m, [k for k in keys if k is not None]


def _satisfy(script: bytes, sigs: Mapping[bytes, bytes]) -> list[bytes] | None:
    """Stack items (bottom first) that satisfy a multisig or `<pk> OP_CHECKSIG` script."""
    ms = _multisig(script)
    if ms is not None:
        m, keys = ms
        chosen = [sigs[k] for k in keys if k in sigs][:m]
        return [b"", *chosen] if len(chosen) == m else None
    if len(script) in (35, 67) and script[-1] == OP_CHECKSIG and script[0] == len(script) - 2:
        pk = script[1:-1]
        return [sigs[pk]] if pk in sigs else None
    return None


def _sig_for_hash(sigs: Mapping[bytes, bytes], h: bytes) -> tuple[bytes, bytes] | None:
    for pk, sig in sigs.items():
        if hash160(pk) == h:
            return sig, pk
    return None


def _finalize_input(psbt: Psbt, index: int) -> PsbtInput | None:
    inp = psbt.inputs[index]
    utxo = psbt.spent_output(index)
    if utxo is None:
        return None
    # BIP 174: finalizers must fail to finalize inputs which have signatures that do not
    # match the specified sighash type.
    if inp.sighash_type is not None and any(
        not s or s[-1] != inp.sighash_type for s in inp.partial_sigs.values()
    ):
        return None
    sigs = inp.partial_sigs
    spk = utxo.script_pubkey
    script_sig: bytes | None = None
    witness: tuple[bytes, ...] | None = None
    if is_p2tr(spk):
        tap_sig = inp.unknown.get(bytes((PSBT_IN_TAP_KEY_SIG,)))
        if tap_sig is None:
            return None
        unknown = {k: v for k, v in inp.unknown.items() if k[0] not in _PSBT_IN_TAPROOT_TYPES}
        return PsbtInput(inp.non_witness_utxo, inp.witness_utxo, final_script_witness=(tap_sig,),
                         unknown=unknown)
    inner = spk
    if _is_p2sh(spk):
        if inp.redeem_script is None or hash160(inp.redeem_script) != spk[2:22]:
            return None
        inner = inp.redeem_script
        script_sig = push_data(inner)
    if is_p2wpkh(inner):
        found = _sig_for_hash(sigs, inner[2:])
        if found is None:
            return None
        witness = found
    elif is_p2wsh(inner):
        ws = inp.witness_script
        if ws is None or sha256(ws) != inner[2:]:
            return None
        items = _satisfy(ws, sigs)
        if items is None:
            return None
        witness = (*items, ws)
    elif _is_p2pkh(inner) and script_sig is None:
        found = _sig_for_hash(sigs, inner[3:23])
        if found is None:
            return None
        script_sig = push_data(found[0]) + push_data(found[1])
    elif script_sig is not None:  # bare script inside P2SH
        items = _satisfy(inner, sigs)
        if items is None:
            return None
        script_sig = b"".join(push_data(i) if i else bytes((OP_0,)) for i in items) + script_sig
    else:
        return None
    # BIP 174: all other data except the UTXO and unknown fields in the input key-value
    # map should be cleared from the PSBT.
    return PsbtInput(inp.non_witness_utxo, inp.witness_utxo, final_script_sig=script_sig,
                     final_script_witness=witness, unknown=dict(inp.unknown))


def _first(values: Iterable[T | None]) -> T | None:
    return next((v for v in values if v is not None), None)


def _merge(maps: Iterable[Mapping[K, V]]) -> dict[K, V]:
    out: dict[K, V] = {}
    for m in maps:
        for k, v in m.items():
            out.setdefault(k, v)
    return out


def combine(psbts: Iterable[Psbt]) -> Psbt:
    """Combiner: merge the records of PSBTs for the same unsigned transaction.

    On a conflict the first PSBT's value wins (BIP 174: "It can pick arbitrarily").
    """
    items = list(psbts)
    if not items:
        raise PsbtError("nothing to combine")
    first = items[0]
    unsigned = first.tx.serialize(with_witness=False)
    for p in items[1:]:
        if p.tx.serialize(with_witness=False) != unsigned:
            raise PsbtError("PSBTs are for different transactions")
    inputs = []
    for k in range(len(first.inputs)):
        ins = [p.inputs[k] for p in items]
        inputs.append(PsbtInput(
            non_witness_utxo=_first(i.non_witness_utxo for i in ins),
            witness_utxo=_first(i.witness_utxo for i in ins),
            partial_sigs=_merge(i.partial_sigs for i in ins),
            sighash_type=_first(i.sighash_type for i in ins),
            redeem_script=_first(i.redeem_script for i in ins),
            witness_script=_first(i.witness_script for i in ins),
            bip32_derivations=_merge(i.bip32_derivations for i in ins),
            final_script_sig=_first(i.final_script_sig for i in ins),
            final_script_witness=_first(i.final_script_witness for i in ins),
            unknown=_merge(i.unknown for i in ins),
        ))
    outputs = []
    for k in range(len(first.outputs)):
        outs = [p.outputs[k] for p in items]
        outputs.append(PsbtOutput(
            redeem_script=_first(o.redeem_script for o in outs),
            witness_script=_first(o.witness_script for o in outs),
            bip32_derivations=_merge(o.bip32_derivations for o in outs),
            unknown=_merge(o.unknown for o in outs),
        ))
    versions = [p.version for p in items if p.version is not None]
    return Psbt(
        first.tx, tuple(inputs), tuple(outputs),
        xpubs=_merge(p.xpubs for p in items),
        version=max(versions) if versions else None,
        unknown=_merge(p.unknown for p in items),
    )
