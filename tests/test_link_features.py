import pytest

from amiko.link.features import (
    FeatureError,
    Features,
    check_peer_features,
    negotiated,
    register_feature,
)


def test_bytes_round_trip_and_minimal_length():
    f = Features.of("var_onion_optin", required=True) | Features.of("gossip_queries")
    assert f.bits == (1 << 8) | (1 << 7)
    assert f.to_bytes() == bytes([0x01, 0x80])
    assert Features.from_bytes(b"\x00\x00" + f.to_bytes()) == f
    assert Features().to_bytes() == b""


def test_unknown_odd_bits_are_ignored():
    check_peer_features(Features(), Features(1 << 101))


def test_unknown_even_bit_closes():
    with pytest.raises(FeatureError, match="unknown feature bit 100"):
        check_peer_features(Features(), Features(1 << 100))


def test_peer_requiring_a_feature_we_lack_closes():
    with pytest.raises(FeatureError, match="gossip_queries"):
        check_peer_features(Features(), Features.of("gossip_queries", required=True))


def test_we_require_a_feature_the_peer_lacks():
    ours = Features.of("gossip_queries", required=True)
    with pytest.raises(FeatureError, match="we require gossip_queries"):
        check_peer_features(ours, Features())
    check_peer_features(ours, Features.of("gossip_queries"))


def test_missing_dependency_closes():
    # basic_mpp depends on payment_secret
    ours = Features.of("basic_mpp", "payment_secret")
    with pytest.raises(FeatureError, match="dependency payment_secret"):
        check_peer_features(ours, Features.of("basic_mpp"))
    check_peer_features(ours, Features.of("basic_mpp", "payment_secret"))


def test_negotiation():
    ours = Features.of("gossip_queries", "basic_mpp", "payment_secret")
    theirs = Features.of("gossip_queries") | Features.of("payment_secret", required=True)
    n = negotiated(ours, theirs)
    assert n.has("gossip_queries") and not n.requires("gossip_queries")
    assert n.requires("payment_secret")
    assert not n.has("basic_mpp")
    # a feature we offer as required is negotiated even if the peer did not set it
    assert negotiated(Features.of("gossip_queries", required=True), Features()).has("gossip_queries")


def test_registered_custom_feature_has_a_name():
    register_feature("test_custom_feature", 300)
    register_feature("test_custom_feature", 300)  # idempotent
    with pytest.raises(ValueError):
        register_feature("other_name", 300)
    f = Features(1 << 301)
    assert f.names() == ["test_custom_feature"]
    check_peer_features(f, Features(1 << 300))


def test_context_keeps_the_bits_a_field_may_carry():
    # BOLT 9: "MUST NOT set feature bits in fields not specified by the table": what
    # node_announcement (N) may show of a node's init features.
    f = (Features.of("option_anchors", "basic_mpp", "gossip_queries", "option_payment_metadata")
         | Features.of("payment_secret", required=True) | Features(1 << 201))
    n = f.in_context("N")
    assert n == Features.of("option_anchors", "basic_mpp") | Features.of("payment_secret", required=True)
    assert n.requires("payment_secret")  # the bit stays the one that was set
    assert f.in_context("9") == Features.of("basic_mpp", "option_payment_metadata") | Features.of(
        "payment_secret", required=True)
    assert Features().in_context("N") == Features()


def test_a_node_offers_what_it_receives(tmp_path):
    # basic_mpp (IN9: "node can receive basic multi-part payments") with its dependency, in
    # init, and in node_announcement (what the line test sees announced)
    from amiko.node import Node, NodeConfig
    from amiko.payments.invoice_book import INVOICE_FEATURES

    node = Node(NodeConfig(datadir=str(tmp_path)))
    assert node.features.has("basic_mpp") and node.features.has("payment_secret")
    check_peer_features(node.features, node.features)  # its dependencies are all set
    assert node.features.in_context("N").has("basic_mpp")
    assert INVOICE_FEATURES.in_context("9") == INVOICE_FEATURES
