"""The knowledge base over HTTP (issue 23): the demo's seeded articles answer paraphrased
questions in zh and en; an editor's article is found only once published, search follows each
new published version and an unpublish; agents read what is live only; bad input is refused
naming the field, in the user's language; another center sees none of it."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.integration.api.conftest import Api


async def _until_found(
    client: httpx.AsyncClient, q: str, article_id: str, present: bool = True
) -> list[dict[str, Any]]:
    """Search until the article is (or is no longer) among the hits: the index follows the log."""
    items: list[dict[str, Any]] = []
    for _ in range(200):
        r = await client.get("/api/v1/knowledge/search", params={"q": q})
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        if (article_id in [i["article_id"] for i in items]) == present:
            return items
        await asyncio.sleep(0.02)
    raise AssertionError(f"{q!r}: {article_id} {'never' if present else 'still'} found: {items}")


async def _id_of(client: httpx.AsyncClient, title_en: str) -> str:
    items = (await client.get("/api/v1/knowledge/articles")).json()["items"]
    return next(a["id"] for a in items if a["title_en"] == title_en)


async def test_seeded_articles_answer_paraphrases_in_both_languages(api: Api) -> None:
    agent = await api.login("agent1")
    card_loss = await _id_of(agent, "Report a lost or stolen card")
    plan = await _id_of(agent, "Change your mobile plan")
    for q, want in (
        ("我的银行卡丢了怎么办", card_loss),
        ("my wallet was stolen with my card in it", card_loss),
        ("我想换个便宜点的资费", plan),  # 资费 is 套餐's synonym in the seed
        ("I want a cheaper tarif", plan),  # a typo
    ):
        items = (await agent.get("/api/v1/knowledge/search", params={"q": q})).json()["items"]
        assert items[0]["article_id"] == want, (q, items)
        assert 0 < items[0]["confidence"] <= 1
        assert items[0]["language"] == ("en" if q.isascii() else "zh")

    # The agent reads the article with its links (titles in both languages) and no draft.
    article = (await agent.get(f"/api/v1/knowledge/articles/{card_loss}")).json()
    assert article["title_zh"] == "银行卡挂失"
    assert {link["title_en"] for link in article["links"]} == {
        "Replace a damaged or expired card",
        "Suspicious payments and scams",
    }


async def test_an_article_is_searchable_only_while_published(api: Api) -> None:
    admin = await api.login("admin")
    agent = await api.login("agent1")
    category = (await admin.get("/api/v1/knowledge/categories")).json()["items"][0]["id"]
    body = {
        "title_zh": "亲子储蓄卡开户",
        "body_zh": "为十六岁以下的孩子开立亲子储蓄卡，需要父母一方携带户口本到网点办理。",
        "title_en": "Open a junior savings card",
        "body_en": "A parent brings the household register to a branch to open a junior card.",
        "category_id": category,
        "audience": "public",
        "tags": ["亲子卡", "junior"],
    }
    made = await admin.post("/api/v1/knowledge/articles", json=body)
    assert made.status_code == 201, made.text
    article = made.json()
    assert (article["status"], article["version"], article["published_version"]) == (
        "draft", 1, None,
    )  # fmt: skip
    aid = article["id"]
    # A draft: the agent neither finds it nor reads it.
    assert (await agent.get(f"/api/v1/knowledge/articles/{aid}")).status_code == 404
    published = await admin.post(f"/api/v1/knowledge/articles/{aid}/publish")
    assert published.json()["status"] == "published"
    await _until_found(agent, "孩子开户要带什么", aid)

    # A second version is saved, but search and agents keep the published one till republished.
    changed = {**body, "body_zh": "亲子储蓄卡改为在手机银行线上开立，无需到网点。",
               "title_en": "Open a junior savings card online"}  # fmt: skip
    saved = (await admin.put(f"/api/v1/knowledge/articles/{aid}", json=changed)).json()
    assert (saved["version"], saved["published_version"]) == (2, 1)
    seen = (await agent.get(f"/api/v1/knowledge/articles/{aid}")).json()
    assert "户口本" in seen["body_zh"]
    listed = (await agent.get("/api/v1/knowledge/articles")).json()["items"]
    assert [a["title_en"] for a in listed if a["id"] == aid] == ["Open a junior savings card"]
    versions = (await admin.get(f"/api/v1/knowledge/articles/{aid}/versions")).json()["items"]
    assert [v["version"] for v in versions] == [2, 1]
    await admin.post(f"/api/v1/knowledge/articles/{aid}/publish")
    await _until_found(agent, "亲子储蓄卡 线上开立 手机银行", aid)
    seen = (await agent.get(f"/api/v1/knowledge/articles/{aid}")).json()
    assert "线上开立" in seen["body_zh"]

    # Unpublished: gone from search; unpublishing again is refused by the state table.
    assert (await admin.post(f"/api/v1/knowledge/articles/{aid}/unpublish")).status_code == 200
    await _until_found(agent, "亲子储蓄卡", aid, present=False)
    again = await admin.post(f"/api/v1/knowledge/articles/{aid}/unpublish")
    assert again.status_code == 409
    assert again.json()["code"] == "knowledge.article.transition"

    # Agents may not write.
    assert (await agent.post("/api/v1/knowledge/articles", json=body)).status_code == 403


async def test_bad_articles_are_refused_naming_the_field(api: Api) -> None:
    admin = await api.login("admin")
    zh = {"Accept-Language": "zh-CN"}
    half = await admin.post("/api/v1/knowledge/articles", json={"title_zh": "只有标题"}, headers=zh)
    assert half.status_code == 422
    none = await admin.post("/api/v1/knowledge/articles", json={"audience": "public"})
    assert none.status_code == 422
    unknown_link = await admin.post(
        "/api/v1/knowledge/articles",
        json={"title_en": "A", "body_en": "B", "links": ["01JUNKNOWNARTICLE000000000"]},
    )
    assert unknown_link.status_code == 422
    assert unknown_link.json()["details"]["field"] == "links"
    unknown_category = await admin.post(
        "/api/v1/knowledge/articles",
        json={"title_en": "A", "body_en": "B", "category_id": "01JUNKNOWNCATEGORY00000000"},
    )
    assert unknown_category.status_code == 404
    assert unknown_category.json()["details"]["field"] == "category_id"
    bad_audience = await admin.post(
        "/api/v1/knowledge/articles", json={"title_en": "A", "body_en": "B", "audience": "all"}
    )
    assert bad_audience.status_code == 422
    # Nothing was half-written.
    items = (await admin.get("/api/v1/knowledge/articles")).json()["items"]
    assert not [a for a in items if a["title_en"] == "A"]
    # A category with articles stays.
    category = (await admin.get("/api/v1/knowledge/categories")).json()["items"][0]["id"]
    kept = await admin.delete(f"/api/v1/knowledge/categories/{category}")
    assert kept.status_code == 409


async def test_synonyms_attachments_and_assist(api: Api, second_tenant: str) -> None:
    admin = await api.login("admin")
    agent = await api.login("agent1")
    suspend = await _id_of(admin, "Keep your number while not using it")
    # A word no article has, until the center says what it means.
    before = (await agent.get("/api/v1/knowledge/search", params={"q": "hibernate"})).json()
    assert before["items"] == []
    groups = (await admin.get("/api/v1/knowledge/synonyms")).json()["groups"]
    put = await admin.put(
        "/api/v1/knowledge/synonyms", json={"groups": [*groups, ["suspend", "hibernate"]]}
    )
    assert put.status_code == 200
    items = await _until_found(agent, "hibernate", suspend)
    assert items[0]["article_id"] == suspend

    # Attachments: stored, listed on the article, downloaded by an agent.
    files = {"file": ("fees.txt", b"fee table", "text/plain")}
    up = await admin.post(f"/api/v1/knowledge/articles/{suspend}/attachments", files=files)
    assert up.status_code == 201, up.text
    listed = (await agent.get(f"/api/v1/knowledge/articles/{suspend}")).json()["attachments"]
    assert [f["filename"] for f in listed] == ["fees.txt"]
    got = await agent.get(f"/api/v1/knowledge/articles/{suspend}/attachments/{listed[0]['id']}")
    assert got.content == b"fee table"
    empty = {"file": ("empty.txt", b"", "text/plain")}
    refused = await admin.post(f"/api/v1/knowledge/articles/{suspend}/attachments", files=empty)
    assert refused.status_code == 422
    assert refused.json()["code"] == "knowledge.attachment.refused"

    # Agent assist from the conversation text and flow variables.
    assist = await agent.post(
        "/api/v1/knowledge/assist",
        json={"text": "你好，我下个月出国一年，号码想留着", "variables": {"intent": "keep_number"}},
    )
    assert assist.status_code == 200, assist.text
    answer = assist.json()  # three suggestions, the one that fits among them
    assert suspend in [i["article_id"] for i in answer["items"]], answer
    assert "keep number" in answer["parts"]
    nobody = {"text": "x", "interaction_id": "01JNOSUCHCONTACT000000000"}
    unknown = await agent.post("/api/v1/knowledge/assist", json=nobody)
    assert unknown.status_code == 404

    # Another center sees none of the demo's articles.
    boss = await api.login("boss", tenant="other")
    assert (await boss.get("/api/v1/knowledge/search", params={"q": "银行卡丢了"})).json()[
        "items"
    ] == []
    assert (await boss.get(f"/api/v1/knowledge/articles/{suspend}")).status_code == 404
