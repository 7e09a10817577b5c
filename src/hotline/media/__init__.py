"""Media: RTP/RTCP, codecs, DTMF, playback, recording, mixing, and the engine that owns sockets."""
