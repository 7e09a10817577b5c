from tests.integration.media.peers import engine

__all__ = ["engine"]
