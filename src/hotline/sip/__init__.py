"""SIP signaling (RFC 3261 and friends), sans-I/O; `sip.transport` holds the only sockets."""

from hotline.sip.errors import SipError, SipParseError
from hotline.sip.headers import CSeq, Headers, NameAddr, Via
from hotline.sip.message import Message, Request, Response, parse_message
from hotline.sip.uri import AbsoluteUri, SipUri, TelUri, Uri, parse_uri

__all__ = [
    "AbsoluteUri",
    "CSeq",
    "Headers",
    "Message",
    "NameAddr",
    "Request",
    "Response",
    "SipError",
    "SipParseError",
    "SipUri",
    "TelUri",
    "Uri",
    "Via",
    "parse_message",
    "parse_uri",
]
