"""The trust channel (Amiko Pay's IOU channel): a credit line between two nodes that trust
each other, with states both sign, no blockchain involved until an optional on-chain
settlement. Spec: docs/trust-channel.md.

Modules: `changes` (what a proposal changes), `messages` (wire), `state` (the signed state,
its encoding, proofs), `updates` (applying a proposal), `data` (phases, stored form),
`core` (the sans-IO state machine), `outputs`, `driver` (asyncio), `channel_type` (the
link's view, accept policy), `service` (what the node calls; `attach_trust`).
"""

from amiko.channels.trust.state import verify_trust_proof

__all__ = ["verify_trust_proof"]
