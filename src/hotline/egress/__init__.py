"""Outgoing HTTP that a tenant's configuration points somewhere (webhook lookups in flows):
refused when the address is private, loopback, link-local or otherwise not on the Internet,
checked after DNS resolution and on every redirect, unless the operator allows the network
(`egress.allow_networks`). ADR 0116, docs/security.md."""

from hotline.egress.client import guarded_client
from hotline.egress.errors import EgressRefused
from hotline.egress.policy import EgressPolicy, policy_of

__all__ = ["EgressPolicy", "EgressRefused", "guarded_client", "policy_of"]
