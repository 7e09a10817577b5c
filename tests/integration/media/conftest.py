from tests.integration.media.peers import close_rtp_peers, engine

__all__ = ["close_rtp_peers", "engine"]
