// The agent's browser phone: one persistent WebRTC session from login to logout, terminated by
// the server (aiortc) and signalled over the WebSocket /api/v1/phone (docs/webrtc.md). Calls
// are bridged into this session on the server, so answering costs no set-up here.
//
//   import { Softphone } from "/static/js/softphone.js";
//   const phone = new Softphone({ audio: document.getElementById("remote-audio") });
//   phone.onstatechange = (state, detail) => render(state, detail);
//   await phone.connect();          // at login: microphone, offer, answer, media flowing
//   phone.sendDtmf("5");            // keypad
//   phone.muted = true;             // the microphone track is disabled, the session stays
//   await phone.getStats();         // RTCStatsReport; phone.connectionInfo() sums it up
//   phone.renegotiate();            // new offer on the same socket: the call carries on
//   phone.disconnect();             // at logout: bye
//
// States (the page translates them; this module shows no text): idle, connecting, connected,
// reconnecting, replaced (another page took the phone), unauthorized (log in again),
// forbidden (not an agent), unavailable (no phone service), microphone_denied, closed.

export const PhoneState = Object.freeze({
  IDLE: "idle",
  CONNECTING: "connecting",
  CONNECTED: "connected",
  RECONNECTING: "reconnecting",
  REPLACED: "replaced",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  UNAVAILABLE: "unavailable",
  MICROPHONE_DENIED: "microphone_denied",
  CLOSED: "closed",
});

// Server close codes (src/hotline/api/phone.py) and what they leave the phone in. None of them
// is retried: each needs the user or another page to act first.
const FINAL_CLOSE = {
  4401: PhoneState.UNAUTHORIZED,
  4403: PhoneState.FORBIDDEN,
  4409: PhoneState.REPLACED,
  1013: PhoneState.UNAVAILABLE,
};

const DEFAULTS = {
  url: "/api/v1/phone",
  audio: null, // an <audio> element to play the remote stream (muted is fine for analysers)
  processing: false, // echo cancellation, noise suppression, auto gain: off for headsets
  gatherTimeoutMs: 3000, // ICE is sent complete in the offer: wait this long for candidates
  disconnectedGraceMs: 4000, // a "disconnected" peer connection gets this long to recover
  minRetryMs: 500,
  maxRetryMs: 15000,
  pingMs: 25000,
};

export class Softphone extends EventTarget {
  constructor(options = {}) {
    super();
    this.options = { ...DEFAULTS, ...options };
    this.onstatechange = null;
    this._state = PhoneState.IDLE;
    this._error = null;
    this._wanted = false; // connect() called and not disconnect()
    this._attempt = 0; // increments per socket; stale handlers check it and do nothing
    this._failures = 0; // consecutive attempts that never reached "connected"
    this._ws = null;
    this._pc = null;
    this._retired = null; // the previous peer connection while a new offer is out
    this._timers = new Set();
    this._local = null;
    this._remote = new MediaStream();
    this._muted = false;
    this._waiters = [];
    this._online = () => {
      if (this._state === PhoneState.RECONNECTING) this._open();
    };
  }

  get state() {
    return this._state;
  }

  /** The last problem: {code, message} from the server, or a browser error's name. */
  get error() {
    return this._error;
  }

  /** What the server sends (the customer, prompts, hold music); survives reconnects. */
  get remoteStream() {
    return this._remote;
  }

  get localStream() {
    return this._local;
  }

  get muted() {
    return this._muted;
  }

  set muted(flag) {
    this._muted = Boolean(flag);
    for (const track of this._local?.getAudioTracks() || []) track.enabled = !this._muted;
  }

  /** Open the session; resolves once media flows, rejects if it cannot (see `state`). */
  async connect() {
    if (this._wanted && this._state === PhoneState.CONNECTED) return;
    const done = new Promise((resolve, reject) => this._waiters.push({ resolve, reject }));
    if (!this._wanted) {
      this._wanted = true;
      this._failures = 0;
      window.addEventListener("online", this._online);
      this._setState(PhoneState.CONNECTING);
      try {
        await this._microphone();
      } catch (error) {
        this._error = { code: error.name || "microphone", message: String(error.message || "") };
        this._stop(PhoneState.MICROPHONE_DENIED);
        return done;
      }
      if (this._wanted) this._open();
    }
    return done;
  }

  /** Say bye and release the microphone; no reconnect until connect() again. */
  disconnect() {
    const ws = this._ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      try {
        ws.send(JSON.stringify({ type: "bye" }));
      } catch {
        // the socket is going anyway
      }
    }
    this._stop(PhoneState.CLOSED);
  }

  /** Offer again on the same socket (after the peer connection failed, or to pick up a new
   *  microphone): the server keeps the session and its endpoint, so a call carries on. */
  async renegotiate() {
    const ws = this._ws;
    if (!this._wanted || !ws || ws.readyState !== WebSocket.OPEN) return false;
    const attempt = this._attempt;
    this._retirePeer();
    this._setState(PhoneState.RECONNECTING, { error: this._error, sameSocket: true });
    try {
      await this._microphone();
      await this._offer(attempt);
    } catch (error) {
      this._retry(attempt, error);
      return false;
    }
    return true;
  }

  /** A keypad key: 0-9, *, #, A-D. */
  sendDtmf(digit, durationMs = 100) {
    if (this._state !== PhoneState.CONNECTED) return false;
    this._ws.send(JSON.stringify({ type: "dtmf", digit: String(digit), duration_ms: durationMs }));
    return true;
  }

  /** The peer connection's RTCStatsReport (null when there is none). */
  async getStats() {
    return this._pc ? this._pc.getStats() : null;
  }

  /** The stats that matter, flattened: codec, candidate pair addresses, packets, loss. */
  async connectionInfo() {
    const report = await this.getStats();
    if (!report) return null;
    const byId = new Map();
    report.forEach((s) => byId.set(s.id, s));
    const info = { codec: null, local: null, remote: null, packetsSent: 0, packetsReceived: 0,
      packetsLost: 0, jitter: null, roundTripTime: null };
    report.forEach((s) => {
      if (s.type === "outbound-rtp" && s.kind === "audio") {
        info.packetsSent += s.packetsSent || 0;
        if (s.codecId && byId.get(s.codecId)) info.codec = byId.get(s.codecId).mimeType;
      } else if (s.type === "inbound-rtp" && s.kind === "audio") {
        info.packetsReceived += s.packetsReceived || 0;
        info.packetsLost += s.packetsLost || 0;
        info.jitter = s.jitter ?? null;
      } else if (s.type === "transport" && s.selectedCandidatePairId) {
        const pair = byId.get(s.selectedCandidatePairId);
        const local = pair && byId.get(pair.localCandidateId);
        const remote = pair && byId.get(pair.remoteCandidateId);
        if (local) info.local = `${local.address || local.ip}:${local.port}`;
        if (remote) info.remote = `${remote.address || remote.ip}:${remote.port}`;
        info.roundTripTime = pair?.currentRoundTripTime ?? null;
      }
    });
    return info;
  }

  // Internals ---------------------------------------------------------------------------------
  _setState(state, detail = {}) {
    if (state === this._state) return;
    this._state = state;
    if (typeof this.onstatechange === "function") {
      try {
        this.onstatechange(state, detail);
      } catch (error) {
        console.error("softphone: onstatechange failed", error);
      }
    }
    this.dispatchEvent(new CustomEvent("statechange", { detail: { state, ...detail } }));
    const waiters = this._waiters;
    if (state === PhoneState.CONNECTED) {
      this._waiters = [];
      waiters.forEach((w) => w.resolve());
    } else if (!this._wanted) {
      this._waiters = [];
      const error = Object.assign(new Error(`phone ${state}`), { state, detail: this._error });
      waiters.forEach((w) => w.reject(error));
    }
  }

  async _microphone() {
    if (this._local && this._local.getAudioTracks().some((t) => t.readyState === "live")) return;
    const processing = Boolean(this.options.processing);
    this._local = await navigator.mediaDevices.getUserMedia({
      audio: {
        echoCancellation: processing,
        noiseSuppression: processing,
        autoGainControl: processing,
        channelCount: 1,
      },
      video: false,
    });
    this.muted = this._muted;
  }

  _socketUrl() {
    const url = new URL(this.options.url, window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.toString();
  }

  _open() {
    this._teardown();
    const attempt = ++this._attempt;
    const ws = new WebSocket(this._socketUrl());
    this._ws = ws;
    ws.onopen = () => {
      if (attempt === this._attempt) this._offer(attempt).catch((e) => this._retry(attempt, e));
    };
    ws.onmessage = (event) => {
      if (attempt === this._attempt) this._onMessage(attempt, event.data);
    };
    ws.onclose = (event) => {
      if (attempt !== this._attempt || !this._wanted) return;
      const final = FINAL_CLOSE[event.code];
      if (final) {
        this._error = { code: event.reason || String(event.code), message: "" };
        this._stop(final);
      } else {
        this._retry(attempt, { name: "socket_closed", message: String(event.code) });
      }
    };
    this._every(this.options.pingMs, attempt, () => {
      if (ws.readyState === WebSocket.OPEN) ws.send("ping");
    });
  }

  async _offer(attempt) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    this._pc = pc;
    for (const track of this._local.getAudioTracks()) pc.addTrack(track, this._local);
    const [transceiver] = pc.getTransceivers();
    const capabilities = window.RTCRtpReceiver?.getCapabilities?.("audio");
    if (transceiver?.setCodecPreferences && capabilities) {
      const pcmu = capabilities.codecs.filter((c) => c.mimeType.toLowerCase() === "audio/pcmu");
      if (pcmu.length) transceiver.setCodecPreferences(pcmu);
    }
    pc.ontrack = (event) => {
      if (attempt !== this._attempt || pc !== this._pc) return;
      for (const old of this._remote.getTracks()) this._remote.removeTrack(old);
      this._remote.addTrack(event.track);
      const audio = this.options.audio;
      if (audio) {
        if (audio.srcObject !== this._remote) audio.srcObject = this._remote;
        audio.play().catch(() => null); // autoplay may wait for a gesture; media still flows
      }
    };
    pc.onconnectionstatechange = () => {
      if (attempt !== this._attempt || pc !== this._pc) return;
      if (pc.connectionState === "failed") {
        this._repair(attempt, { name: "ice_failed", message: "" });
      } else if (pc.connectionState === "disconnected") {
        this._later(this.options.disconnectedGraceMs, attempt, () => {
          if (pc === this._pc && pc.connectionState !== "connected") {
            this._repair(attempt, { name: "ice_disconnected", message: "" });
          }
        });
      }
    };
    await pc.setLocalDescription(await pc.createOffer());
    await this._gathered(pc);
    if (attempt !== this._attempt || pc !== this._pc) return;
    this._ws.send(JSON.stringify({ type: "offer", sdp: pc.localDescription.sdp }));
  }

  _gathered(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.options.gatherTimeoutMs);
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  async _onMessage(attempt, data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message.type === "answer") {
      try {
        await this._pc.setRemoteDescription({ type: "answer", sdp: message.sdp });
      } catch (error) {
        this._retry(attempt, error);
        return;
      }
      if (this._retired) {
        this._retired.close(); // the server has moved the session to the new one
        this._retired = null;
      }
    } else if (message.type === "state" && message.state === "connected") {
      this._failures = 0;
      this._error = null;
      this._setState(PhoneState.CONNECTED);
    } else if (message.type === "state" && message.state === "closed") {
      this._retry(attempt, { name: `session_${message.reason}`, message: "" });
    } else if (message.type === "error") {
      this._error = { code: message.code, message: message.message };
      if (String(message.code).startsWith("webrtc.offer")) this._retry(attempt, this._error);
    }
    // "replaced" and "bye" are followed by the close, handled in onclose.
  }

  // The media path broke but the socket is up: offer again on it (keeps the server's session
  // and any call), backing off like a reconnect; a failed offer falls back to a new socket.
  _repair(attempt, error) {
    if (attempt !== this._attempt || !this._wanted) return;
    this._error = { code: error.code || error.name || "error", message: error.message || "" };
    const ws = this._ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      this._retry(attempt, error);
      return;
    }
    this._retirePeer();
    const delay = this._backoff();
    this._setState(PhoneState.RECONNECTING, { error: this._error, retryMs: delay });
    this._later(delay, attempt, () => this.renegotiate());
  }

  _backoff() {
    const base = Math.min(this.options.maxRetryMs, this.options.minRetryMs * 2 ** this._failures);
    this._failures += 1;
    return base * (0.5 + Math.random() / 2);
  }

  _retry(attempt, error) {
    if (attempt !== this._attempt || !this._wanted) return;
    if (error) this._error = { code: error.code || error.name || "error", message: error.message || "" };
    this._teardown();
    this._attempt += 1; // whatever the old socket and peer connection still say is stale
    const next = this._attempt;
    const delay = this._backoff();
    this._setState(PhoneState.RECONNECTING, { error: this._error, retryMs: delay });
    this._later(delay, next, () => this._open());
  }

  _stop(state) {
    this._wanted = false;
    this._attempt += 1;
    window.removeEventListener("online", this._online);
    this._teardown();
    for (const track of this._local?.getTracks() || []) track.stop();
    this._local = null;
    this._setState(state, { error: this._error });
  }

  // Stop listening to the current peer connection but keep it open until the server has
  // answered a new offer: closing it first would send DTLS close_notify, and the server would
  // end the session (and the call) before the new offer arrives.
  _retirePeer() {
    if (this._pc) {
      this._pc.onconnectionstatechange = null;
      this._pc.ontrack = null;
      if (this._retired) this._retired.close();
      this._retired = this._pc;
      this._pc = null;
    }
  }

  _closePeer() {
    this._retirePeer();
    if (this._retired) {
      this._retired.close();
      this._retired = null;
    }
  }

  _teardown() {
    for (const timer of this._timers) clearTimeout(timer);
    this._timers.clear();
    this._closePeer();
    if (this._ws) {
      const ws = this._ws;
      this._ws = null;
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000);
    }
  }

  _later(ms, attempt, fn) {
    const timer = setTimeout(() => {
      this._timers.delete(timer);
      if (attempt === this._attempt) fn();
    }, ms);
    this._timers.add(timer);
  }

  _every(ms, attempt, fn) {
    this._later(ms, attempt, () => {
      fn();
      this._every(ms, attempt, fn);
    });
  }
}
