"""The visual flow designer over HTTP: the palette, graph ⇄ YAML, the diff against the active
version before publishing, the test console and its spoken prompts.

The page keeps the designer's graph; these endpoints turn it into the flow document (the one
model, `flows/designer.py`) and back, so the designer, the YAML view and publishing share one
check (`/flows/check`) and one publish (`POST /flows`)."""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import Uow, require, services_of
from hotline.api.flows import LayoutIn, layout_in
from hotline.app import flow_service
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.flows.console import walk
from hotline.flows.designer import from_designer, json_ready, palette, to_designer
from hotline.flows.errors import FlowNotFound
from hotline.flows.interpreter import Program
from hotline.flows.loader import parse_flow, read_document
from hotline.flows.schema import Flow, LanguageTag
from hotline.media.tts import EspeakTts

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["flows"])

Reader = Annotated[Principal, Depends(require(Permission.FLOWS_READ))]


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500_000, description="the flow as YAML or JSON")
    format: Literal["yaml", "json"] = "yaml"


class DocumentIn(TextIn):
    layout: LayoutIn | None = None


class GraphIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    graph: dict[str, Any] = Field(description="the designer's graph: flow, nodes, edges")


class ConsoleIn(TextIn):
    answers: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=200
    )
    language: LanguageTag | None = None
    caller: Annotated[str, Field(pattern=r"^\+?[0-9]{1,20}$")] = "13800000000"


class SpeechIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    language: LanguageTag = "zh-CN"


def document_yaml(data: Any) -> str:
    """A document as the YAML view shows it: fields in the author's order, Unicode as is."""
    return yaml.safe_dump(json_ready(data), allow_unicode=True, sort_keys=False, width=100)


def _shown(flow: Flow) -> str:
    """A valid flow as compared: every value spelled out the same way, fields left at their
    defaults left out (so the diff shows what the author set)."""
    return document_yaml(flow.model_dump(mode="json", exclude_defaults=True))


@router.get("/flows/palette", summary="Every node type the designer offers, with its form")
async def get_palette(principal: Reader) -> dict[str, Any]:
    return {"items": [entry.as_dict() for entry in palette()]}


@router.post("/flows/designer/graph", summary="A flow document as the designer's graph")
async def text_to_graph(body: DocumentIn, principal: Reader) -> dict[str, Any]:
    data = read_document(body.text, fmt=body.format)
    if not isinstance(data, dict):
        data = {}
    layout = layout_in(body.layout)
    return {"graph": to_designer(data, layout.positions if layout else None)}


@router.post("/flows/designer/text", summary="The designer's graph as a flow document (YAML)")
async def graph_to_text(body: GraphIn, principal: Reader) -> dict[str, Any]:
    return {"text": document_yaml(from_designer(body.graph))}


@router.post("/flows/diff", summary="What publishing this document would change")
async def diff(body: TextIn, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    flow = parse_flow(read_document(body.text, fmt=body.format))
    flows = flow_service(services_of(request), uow)
    try:
        active = await flows.active(principal.tenant_id, flow.name)
    except FlowNotFound:
        active = None
    before = "" if active is None else _shown(active.flow)
    after = _shown(flow)
    old_nodes = {} if active is None else active.flow.nodes
    lines = list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"v{active.version}" if active else "(none)",
            tofile="draft",
            lineterm="",
            n=2,
        )
    )
    return {
        "name": flow.name,
        "active_version": None if active is None else active.version,
        "same": before == after,
        "lines": lines,
        "added": [n for n in flow.nodes if n not in old_nodes],
        "removed": [n for n in old_nodes if n not in flow.nodes],
        "changed": [n for n, node in flow.nodes.items() if n in old_nodes and old_nodes[n] != node],
    }


@router.post("/flows/console", summary="Walk a flow with typed keys: what the caller hears")
async def console(body: ConsoleIn, request: Request, principal: Reader) -> dict[str, Any]:
    flow = parse_flow(read_document(body.text, fmt=body.format))
    services = services_of(request)
    program = Program(flow, calendars=services.flow_programs.calendars)
    result = walk(
        program,
        body.answers,
        now=services.clock.now(),
        language=body.language,
        caller=body.caller,
        tenant_id=principal.tenant_id,
    )
    return result.as_dict()


@router.post(
    "/flows/speech",
    summary="A prompt's text spoken as the caller hears it (8 kHz WAV)",
    response_class=FileResponse,
)
async def speech(body: SpeechIn, request: Request, principal: Reader) -> FileResponse:
    media = services_of(request).settings.media
    tts = EspeakTts(media.tts_cache_dir, words_per_minute=media.tts_words_per_minute)
    path = await tts.synthesize(body.text, body.language)
    return FileResponse(path, media_type="audio/wav")
