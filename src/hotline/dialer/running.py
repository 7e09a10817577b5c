"""The live dialer on the job host: one `dialer.campaign` job per running campaign (key
`campaign:<id>`), scheduled when the campaign starts or resumes. Its firing runs the campaign's
dialer in slices of a minute outside any transaction, checkpointing between slices (so the
lease is renewed and a node that dies hands the campaign to another), and completes once the
campaign is paused or finished. One dialer per campaign on the node that holds the job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from hotline.dialer.live import CampaignDialer, DialerFigures
from hotline.jobs import JobContext

__all__ = ["CAMPAIGN_KIND", "CampaignJob", "campaign_key", "progress_text"]

CAMPAIGN_KIND = "dialer.campaign"

DialerFactory = Callable[[object, str, str], Awaitable[CampaignDialer | None]]
"""(the firing's connection, tenant, campaign) → the campaign's dialer on this node; None
without telephony here."""


def progress_text(figures: DialerFigures) -> str:
    """The job's progress line, in both languages: dials, the abandon rate, and what
    answering-machine detection decided (ADR 0197)."""
    zh = f"已拨 {figures.dials} 通，放弃率 {figures.abandon_rate:.1%}"
    en = f"{figures.dials} dialled, abandon rate {figures.abandon_rate:.1%}"
    mean = figures.amd_mean_decision_s
    if mean is not None:
        machines = figures.amd_verdicts.get("machine", 0)
        judged = sum(figures.amd_verdicts.values())
        zh += f"，答录机 {machines}/{judged} 通（平均 {mean:.1f} 秒判定）"
        en += f", machines {machines} of {judged} ({mean:.1f} s to decide)"
    return f"{zh} / {en}"


def campaign_key(campaign_id: str) -> str:
    return f"campaign:{campaign_id}"


class CampaignJob:
    def __init__(self, dialer_for: DialerFactory, *, slice_s: float = 60.0) -> None:
        self.dialer_for = dialer_for
        self.slice_s = slice_s
        self.dialers: dict[tuple[str, str], CampaignDialer] = {}

    async def __call__(self, ctx: JobContext) -> None:
        campaign_id = str(ctx.payload["campaign_id"])
        key = (ctx.tenant_id, campaign_id)
        dialer = self.dialers.get(key) or await self.dialer_for(
            ctx.conn, ctx.tenant_id, campaign_id
        )
        if dialer is None:
            return
        self.dialers[key] = dialer
        try:
            while await ctx.outside(lambda: dialer.run_slice(self.slice_s)):
                figures = dialer.figures
                ctx.progress(figures.dials, None, progress_text(figures))
                await ctx.checkpoint({"dials": figures.dials})
        finally:
            if not dialer.running:
                self.dialers.pop(key, None)
