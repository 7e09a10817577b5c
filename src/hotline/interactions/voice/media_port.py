"""`VoiceFlowMedia`: the voice part of the flow's port for one contact (docs/flows.md, ADR 0044).

Prompts play on the customer leg's media endpoint (interruptible ones with barge-in); keys come
from the leg's one digit stream (RFC 4733, in-band or SIP INFO); voicemail records through the
media backend (`voicemail.py`) and its notice goes by e-mail. Everything that involves the
router or other parties is the lifecycle's (`flowrun.ContactPort`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hotline.calls import LegFailed
from hotline.errors import HotlineError
from hotline.flows.actions import Collect, NotifyVoicemail, RecordVoicemail
from hotline.flows.errors import CallerHungUp, PortUnsupported
from hotline.flows.inputs import CollectTimedOut, DigitsCollected, RecordingDone
from hotline.flows.port import VOICE
from hotline.flows.prompts import PromptRef
from hotline.ids import new_id
from hotline.interactions.channel import Guard
from hotline.interactions.events import VoicemailNotified, VoicemailRecorded
from hotline.interactions.model import Contact
from hotline.interactions.ports import RecordingRow
from hotline.interactions.voice.listening import listen_once
from hotline.interactions.voice.mail import voicemail_notice
from hotline.interactions.voice.prompts import playlist
from hotline.interactions.voice.session import VoiceSession
from hotline.interactions.voice.voicemail import record_message, store_message
from hotline.media.backend import EndpointContext, EndpointId
from hotline.media.player import PlaybackEnd
from hotline.media.recorder import file_sha256
from hotline.speech import Endpointer, UnsupportedLanguage
from hotline.speech.events import SpeechListening, SpeechRecognized

if TYPE_CHECKING:
    from hotline.interactions.voice.channel import VoiceChannel

__all__ = ["VoiceFlowMedia"]

log = logging.getLogger(__name__)


class VoiceFlowMedia:
    def __init__(
        self, voice: VoiceChannel, session: VoiceSession, contact: Contact, guard: Guard
    ) -> None:
        self._voice = voice
        self._session = session
        self._contact = contact
        self._guard = guard

    @property
    def channel(self) -> str:
        return VOICE

    @property
    def _endpoint(self) -> EndpointId:
        customer = self._session.customer
        if customer is None or not customer.is_live:
            raise CallerHungUp()
        return customer.endpoint

    async def prepare(self, *, for_input: bool) -> None:
        """Answer before anything but prompts; with early media, prompts play on a 183 first."""
        customer = self._session.customer
        if customer is None or not customer.is_live:
            raise CallerHungUp()
        if customer.is_up:
            return
        calls = self._voice.calls
        try:
            if self._session.early_media and not for_input:
                await calls.early_media(customer)
            else:
                await calls.answer(customer)
        except LegFailed:
            raise CallerHungUp() from None

    async def play(self, prompts: Sequence[PromptRef], *, interruptible: bool) -> str:
        await self.prepare(for_input=False)
        customer = self._session.customer
        assert customer is not None
        items = playlist(prompts, self._voice.settings.prompts_dir)
        if not items:
            return ""
        media = self._voice.media
        try:
            playback = await media.play(self._endpoint, items, barge_in=interruptible)
        except HotlineError:
            if not customer.is_live:
                raise CallerHungUp() from None
            raise
        if not interruptible:
            await self._guard(playback.wait())
            customer.drain_digits()  # keys during a prompt that cannot be interrupted are lost
            return ""
        # SIP INFO digits do not barge in on the media side: race the first key against the end.
        key = asyncio.ensure_future(customer.digits.get())
        finished = asyncio.ensure_future(playback.wait())
        try:
            await self._guard(asyncio.wait({key, finished}, return_when=asyncio.FIRST_COMPLETED))
        finally:
            for pending in (key, finished):
                if not pending.done():
                    pending.cancel()
        if key.done() and not key.cancelled():
            if not playback.finished:
                await media.stop_playback(customer.endpoint)
            return key.result() + customer.drain_digits()
        return customer.drain_digits() if finished.result() is PlaybackEnd.BARGE_IN else ""

    async def collect_digits(self, request: Collect) -> DigitsCollected | CollectTimedOut:
        await self.prepare(for_input=True)
        customer = self._session.customer
        assert customer is not None
        entry = request.prefix

        def complete(text: str) -> DigitsCollected | None:
            if request.terminator and request.terminator in text:
                return DigitsCollected(text.split(request.terminator, 1)[0], request.terminator)
            if len(text) >= request.max_digits:
                return DigitsCollected(text[: request.max_digits])
            return None

        if (done := complete(entry)) is not None:
            return done
        if not entry and request.prompts:
            entry += await self.play(request.prompts, interruptible=True)
            if (done := complete(entry)) is not None:
                return done
        timeout = request.inter_digit_timeout if entry else request.first_digit_timeout
        while True:
            try:
                digit = await self._guard(asyncio.wait_for(customer.digits.get(), timeout))
            except TimeoutError:
                if entry and len(entry) >= request.min_digits:
                    return DigitsCollected(entry)
                return CollectTimedOut(entry)
            entry += digit
            if (done := complete(entry)) is not None:
                return done
            timeout = request.inter_digit_timeout

    # --- voicemail ------------------------------------------------------------------------

    async def record(self, request: RecordVoicemail) -> RecordingDone:
        await self.prepare(for_input=True)
        customer = self._session.customer
        if self._contact.gone.is_set() or customer is None or not customer.is_live:
            return RecordingDone(None)
        voice = self._voice
        settings = voice.settings
        contact_id = self._contact.contact_id
        context = EndpointContext(voice.tenant_id, contact_id, customer.leg_id)
        message = await record_message(
            voice.media,
            customer.endpoint,
            context,
            greeting=playlist(request.greeting, settings.prompts_dir),
            beep=request.beep,
            max_s=request.max_length,
            silence_s=request.silence_end,
            silence_level=settings.voicemail_silence_level,
            digits=customer.digits,
            gone=self._contact.gone,
        )
        if message.duration_s < settings.voicemail_min_s:
            return RecordingDone(None)
        now = voice.clock.now()
        recording_id = new_id(now)
        key, size = await store_message(
            voice.storage,
            message,
            tenant_id=voice.tenant_id,
            interaction_id=contact_id,
            mailbox=request.mailbox,
            now=now,
        )
        self._contact.voicemail = True
        self._session.voicemails[recording_id] = (key, size)
        voice.sink.emit(
            VoicemailRecorded(
                tenant_id=voice.tenant_id,
                at=now,
                interaction_id=contact_id,
                leg_id=customer.leg_id,
                mailbox=request.mailbox,
                recording_id=recording_id,
                path=key,
                duration_s=message.duration_s,
                caller_number=self._contact.caller_number,
                ended_by=message.ended_by.value,
                ticket=self._voicemail_ticket(request),
            )
        )
        # Like a call recording's: the stored WAV file's (as read back, sealed or not).
        digest = await asyncio.get_running_loop().run_in_executor(
            None, lambda: file_sha256(voice.storage.open_read(key))
        )
        with contextlib.suppress(Exception):
            await voice.catalog.add(
                RecordingRow(
                    tenant_id=voice.tenant_id,
                    interaction_id=contact_id,
                    recording_id=recording_id,
                    kind="voicemail",
                    path=key,
                    duration_s=message.duration_s,
                    channels=1,
                    sha256=digest,
                    size_bytes=size,
                    paused_spans=(),
                    started_at=now - message.duration_s,
                    leg_id=customer.leg_id,
                    mailbox=request.mailbox,
                )
            )
        return RecordingDone(recording_id, message.duration_s)

    def _voicemail_ticket(self, request: RecordVoicemail) -> dict[str, Any] | None:
        wanted = request.ticket
        if wanted is None:
            return None
        record = self._contact.record
        return {
            "department": wanted.department,
            "subject": wanted.subject,
            "category": wanted.category,
            "priority": wanted.priority,
            "language": wanted.language,
            "customer_id": None if record is None else str(record.customer_id),
        }

    async def notify_voicemail(self, notice: NotifyVoicemail) -> None:
        self._voice.tasks.spawn(self._send_notice(notice), name="voicemail-mail")

    async def _send_notice(self, notice: NotifyVoicemail) -> None:
        voice = self._voice
        key, size = self._session.voicemails.get(notice.recording_id, ("", 0))
        wav = None
        if key and size <= voice.settings.mail.attach_max_bytes:
            loop = asyncio.get_running_loop()
            with contextlib.suppress(OSError, HotlineError):
                wav = await loop.run_in_executor(None, voice.read_recording, key)
        message = voicemail_notice(
            sender=voice.settings.mail.sender,
            recipients=notice.emails,
            mailbox=notice.mailbox,
            caller_number=self._contact.caller_number,
            duration_s=notice.duration,
            at=voice.clock.now(),
            time_zone=voice.settings.time_zone,
            interaction_id=self._contact.contact_id,
            wav=wav,
        )
        error = None
        try:
            await voice.mail.send(message)
        except Exception as exc:  # noqa: BLE001 - SMTP down: recorded in voicemail.notified
            error = f"{type(exc).__name__}: {exc}"
            log.warning("voicemail notice for %s failed: %s", self._contact.contact_id, error)
        voice.sink.emit(
            VoicemailNotified(
                tenant_id=voice.tenant_id,
                at=voice.clock.now(),
                interaction_id=self._contact.contact_id,
                mailbox=notice.mailbox,
                recording_id=notice.recording_id,
                recipients=tuple(notice.emails),
                sent=error is None,
                error=error,
            )
        )

    # --- text ------------------------------------------------------------------------------

    async def send(self, text: str) -> None:
        raise PortUnsupported("a voice call has no text messages")

    async def await_reply(self, timeout: float) -> str | None:
        raise PortUnsupported("a voice call has no text messages")

    async def listen(self, timeout: float, language: str) -> str | None:
        """What the caller says next, through the center's recognizer (ADR 0258)."""
        voice = self._voice
        recognizer = voice.recognizer
        if recognizer is None:
            raise PortUnsupported("no speech recognizer on this call")
        try:
            stream = recognizer.stream(language)
        except UnsupportedLanguage as exc:
            raise PortUnsupported(exc.message) from None
        await self.prepare(for_input=True)
        customer = self._session.customer
        if self._contact.gone.is_set() or customer is None or not customer.is_live:
            stream.close()
            raise CallerHungUp()
        contact_id = self._contact.contact_id
        endpointer = Endpointer(
            level=voice.settings.voicemail_silence_level, no_speech_s=min(timeout, 60.0)
        )
        leg_id = customer.leg_id

        def listening() -> None:
            voice.sink.emit(
                SpeechListening(
                    tenant_id=voice.tenant_id, at=voice.clock.now(), interaction_id=contact_id,
                    leg_id=leg_id, engine=recognizer.name, language=language,
                )
            )  # fmt: skip

        heard = await listen_once(
            voice.media,
            customer.endpoint,
            EndpointContext(voice.tenant_id, contact_id, leg_id),
            stream,
            endpointer,
            self._contact.gone,
            listening,
        )
        voice.sink.emit(
            SpeechRecognized(
                tenant_id=voice.tenant_id,
                at=voice.clock.now(),
                interaction_id=contact_id,
                leg_id=customer.leg_id,
                text=heard.recognized.text,
                engine=recognizer.name,
                language=language,
                ended_by=heard.ended_by,
                duration_s=heard.duration_s,
                confidence=heard.recognized.confidence,
            )
        )
        if heard.ended_by == "hangup":
            raise CallerHungUp()
        return heard.recognized.text or None
