"""The load kit's figures as text, in Chinese or English (the same lines the bench prints)."""

from __future__ import annotations

import math

from hotline.loadtest.ladder import Step, best_rate

__all__ = ["render_step", "render_summary"]

_TEXT = {
    "rate": ("目标 {rate:g} 次/秒", "target {rate:g} calls/s"),
    "concurrent": ("并发 {n} 路", "{n} concurrent"),
    "line": (
        "{label}: 接通 {answered}/{calls}，失败 {failed}（其中 503 {shed}，500 {errors}），"
        "实际 {achieved:.1f} 次/秒，建立时延 p50 {p50} / p95 {p95}，{cpu} [{mark}]",
        "{label}: {answered}/{calls} answered, {failed} failed (503: {shed}, 500: {errors}), "
        "{achieved:.1f} calls/s achieved, set-up p50 {p50} / p95 {p95}, {cpu} [{mark}]",
    ),
    "cpu": (
        "服务器 CPU 每通 {ms:.2f} ms（{cores:.2f} 核）",
        "server CPU {ms:.2f} ms/call ({cores:.2f} cores)",
    ),
    "no_cpu": ("服务器 CPU 未测（不在本机）", "server CPU not measured (not on this machine)"),
    "pass": ("通过", "pass"),
    "fail": ("未通过", "FAIL"),
    "best": (
        "失败 < 1% 的最高呼叫速率：{best:g} 次/秒",
        "highest rate with < 1 % failed: {best:g} calls/s",
    ),
    "none": ("没有一级失败率低于 1%", "no step had fewer than 1 % failed"),
}


def _t(key: str, lang: str) -> str:
    zh, en = _TEXT[key]
    return zh if lang.lower().startswith("zh") else en


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.0f} ms"


def render_step(step: Step, lang: str = "zh-CN") -> str:
    if step.concurrent is not None:
        label = _t("concurrent", lang).format(n=step.concurrent)
    else:
        label = _t("rate", lang).format(rate=step.target_rate)
    per_call, cores = step.cpu_ms_per_call, step.cores_busy
    cpu = (
        _t("cpu", lang).format(ms=per_call, cores=cores or 0.0)
        if per_call is not None
        else _t("no_cpu", lang)
    )
    counts = step.counts
    return _t("line", lang).format(
        label=label,
        answered=counts.answered,
        calls=counts.calls,
        failed=step.not_served,
        shed=counts.shed,
        errors=counts.errors,
        achieved=step.rate,
        p50=_ms(step.setup_p50_ms),
        p95=_ms(step.setup_p95_ms),
        cpu=cpu,
        mark=_t("pass" if step.passed else "fail", lang),
    )


def render_summary(steps: list[Step], lang: str = "zh-CN") -> str:
    best = best_rate(steps)
    return _t("best", lang).format(best=best) if best else _t("none", lang)
