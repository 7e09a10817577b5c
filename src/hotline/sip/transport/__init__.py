"""asyncio transports for SIP: the only I/O of `hotline.sip`."""
