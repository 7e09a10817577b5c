from tests.integration.media.peers import close_rtp_peers, engine, local_engine

__all__ = ["close_rtp_peers", "engine", "local_engine"]
