"""SIP signaling (RFC 3261 and friends), sans-I/O; `sip.transport` holds the only sockets."""
