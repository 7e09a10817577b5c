"""A scripted `InteractionPort` for flow tests: it expects calls in order and answers them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hotline.clock import FakeClock
from hotline.flows.actions import (
    AskBot,
    Collect,
    Enqueue,
    FindTicket,
    LeaveQueue,
    Lookup,
    NotifyVoicemail,
    OpenTicket,
    PromptRef,
    RecordVoicemail,
    RequestCallback,
    Transfer,
)
from hotline.flows.inputs import (
    BotAnswered,
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    LookupCompleted,
    LookupFailed,
    QueueOutcome,
    RecordingDone,
    TicketFailed,
    TicketFound,
    TicketOpened,
    TransferOutcome,
)


@dataclass(frozen=True)
class Played:
    prompts: tuple[PromptRef, ...]
    interruptible: bool

    @property
    def texts(self) -> list[str | None]:
        return [p.text for p in self.prompts]


class ScriptedPort:
    """Each script line is `(method, answer)` or `(method, answer, seconds)`.

    `answer` may be a value, an exception to raise, or a function of the request. The clock
    moves by `seconds` (default 1) per call, so events carry plausible times.
    """

    def __init__(
        self,
        script: Sequence[tuple[Any, ...]],
        *,
        clock: FakeClock | None = None,
        channel: str = "voice",
    ) -> None:
        self.script = list(script)
        self.clock = clock
        self._channel = channel
        self.calls: list[tuple[str, Any]] = []

    @property
    def channel(self) -> str:
        return self._channel

    def request(self, method: str, index: int = 0) -> Any:
        """The `index`-th request made through `method`."""
        return [r for m, r in self.calls if m == method][index]

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]

    def assert_done(self) -> None:
        assert not self.script, f"script not used up: {self.script}"

    async def _next(self, method: str, request: Any) -> Any:
        self.calls.append((method, request))
        if not self.script:
            raise AssertionError(f"unexpected {method}({request!r}): the script is over")
        line = self.script.pop(0)
        expected, answer = line[0], line[1]
        assert expected == method, f"expected {expected}, got {method}({request!r})"
        if self.clock is not None:
            self.clock.advance(line[2] if len(line) > 2 else 1.0)
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer) and not isinstance(answer, type):
            return answer(request)
        return answer

    async def play(self, prompts: Sequence[PromptRef], *, interruptible: bool) -> str:
        answer: str = await self._next("play", Played(tuple(prompts), interruptible))
        return answer

    async def collect_digits(self, request: Collect) -> DigitsCollected | CollectTimedOut:
        answer: DigitsCollected | CollectTimedOut = await self._next("collect", request)
        return answer

    async def record(self, request: RecordVoicemail) -> RecordingDone:
        answer: RecordingDone = await self._next("record", request)
        return answer

    async def send(self, text: str) -> None:
        await self._next("send", text)

    async def await_reply(self, timeout: float) -> str | None:
        answer: str | None = await self._next("reply", timeout)
        return answer

    async def lookup(self, request: Lookup) -> LookupCompleted | LookupFailed:
        answer: LookupCompleted | LookupFailed = await self._next("lookup", request)
        return answer

    async def enqueue(self, request: Enqueue) -> QueueOutcome:
        answer: QueueOutcome = await self._next("enqueue", request)
        return answer

    async def leave_queue(self, request: LeaveQueue) -> None:
        await self._next("leave_queue", request)

    async def wait_agent_left(self) -> None:
        await self._next("agent_left", None)

    async def transfer(self, request: Transfer) -> TransferOutcome:
        answer: TransferOutcome = await self._next("transfer", request)
        return answer

    async def request_callback(self, request: RequestCallback) -> CallbackOutcome:
        answer: CallbackOutcome = await self._next("callback", request)
        return answer

    async def open_ticket(self, request: OpenTicket) -> TicketOpened | TicketFailed:
        answer: TicketOpened | TicketFailed = await self._next("open_ticket", request)
        return answer

    async def find_ticket(self, request: FindTicket) -> TicketFound | TicketFailed:
        answer: TicketFound | TicketFailed = await self._next("find_ticket", request)
        return answer

    async def listen(self, timeout: float, language: str) -> str | None:
        answer: str | None = await self._next("listen", timeout)
        return answer

    async def consult_bot(self, question: str, request: AskBot) -> BotAnswered:
        answer: BotAnswered = await self._next("bot", (question, request))
        return answer

    async def notify_voicemail(self, notice: NotifyVoicemail) -> None:
        await self._next("notify", notice)

    async def hang_up(self, cause: str) -> None:
        await self._next("hang_up", cause)


def digits(keys: str) -> Callable[[Collect], DigitsCollected]:
    """An answer that checks nothing and returns `keys` (with any prefix)."""
    return lambda request: DigitsCollected(request.prefix + keys)
