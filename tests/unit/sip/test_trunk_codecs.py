"""A trunk's codec list applied to our offer (`restrict_codecs`): only its codecs, in its
order, telephone-event kept, the other codecs' rtpmap lines gone; no overlap leaves it as is."""

from __future__ import annotations

from hotline.sip.offeranswer import make_offer, restrict_codecs
from hotline.sip.sdp import parse_sdp


def test_the_offer_carries_the_trunks_codecs_in_its_order() -> None:
    offer = make_offer("192.0.2.1", 4000, session_id=1)
    assert [c.name for c in offer.audio().codecs] == ["PCMU", "PCMA", "telephone-event"]  # type: ignore[union-attr]
    only_a = restrict_codecs(offer, ("PCMA",))
    audio = only_a.audio()
    assert audio is not None
    assert [c.name for c in audio.codecs] == ["PCMA", "telephone-event"]
    assert audio.formats == ("8", "101")
    assert [v for k, v in audio.attributes if k == "rtpmap"] == [
        "8 PCMA/8000",
        "101 telephone-event/8000",
    ]
    swapped = restrict_codecs(offer, ("PCMA", "PCMU")).audio()
    assert swapped is not None
    assert swapped.formats == ("8", "0", "101")
    # On the wire and back, the same.
    assert parse_sdp(bytes(only_a)).audio().formats == ("8", "101")  # type: ignore[union-attr]


def test_an_offer_without_the_trunks_codecs_is_left_as_it_is() -> None:
    offer = make_offer("192.0.2.1", 4000, session_id=1)
    assert restrict_codecs(offer, ("G729",)) == offer
