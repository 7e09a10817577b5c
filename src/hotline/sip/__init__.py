"""SIP signaling (RFC 3261 and friends), sans-I/O; `sip.transport` holds the only sockets.

The call-control entry point is `hotline.sip.transport.service.SipService` (docs/sip.md).
"""

from hotline.sip.address import Address
from hotline.sip.auth import CredentialStore, Ha1Values, InMemoryCredentialStore, compute_ha1
from hotline.sip.errors import (
    OutboundCapReached,
    OutboundDenied,
    SdpNegotiationFailed,
    SipError,
    SipParseError,
)
from hotline.sip.headers import CSeq, Headers, NameAddr, Via
from hotline.sip.message import Message, Request, Response, parse_message
from hotline.sip.offeranswer import NegotiatedMedia, accept_answer, make_answer, make_offer
from hotline.sip.policy import OutboundPermit, OutboundPolicy, OutboundRules
from hotline.sip.registrar import Binding, BindingStore, InMemoryBindingStore
from hotline.sip.sdp import Codec, Direction, SessionDescription, parse_sdp
from hotline.sip.trunk import CallerId, Trunk
from hotline.sip.uri import AbsoluteUri, SipUri, TelUri, Uri, parse_uri

__all__ = [
    "AbsoluteUri",
    "Address",
    "Binding",
    "BindingStore",
    "CSeq",
    "CallerId",
    "Codec",
    "CredentialStore",
    "Direction",
    "Ha1Values",
    "Headers",
    "InMemoryBindingStore",
    "InMemoryCredentialStore",
    "Message",
    "NameAddr",
    "NegotiatedMedia",
    "OutboundCapReached",
    "OutboundDenied",
    "OutboundPermit",
    "OutboundPolicy",
    "OutboundRules",
    "Request",
    "Response",
    "SdpNegotiationFailed",
    "SessionDescription",
    "SipError",
    "SipParseError",
    "SipUri",
    "TelUri",
    "Trunk",
    "Uri",
    "Via",
    "accept_answer",
    "compute_ha1",
    "make_answer",
    "make_offer",
    "parse_message",
    "parse_sdp",
    "parse_uri",
]
