"""Web chat over the real server (`hotline demo`): a visitor's widget socket, the agent's chat
desk socket and REST commands — offered, accepted, written both ways, the visitor reconnects
and reads only what it missed, a resend is acknowledged once, the agent closes, the visitor
answers the end-of-chat survey once (a second answer is refused) and the low rating opens a
review of the agent's segment. Real sockets, no browser (the Chromium acceptance is in
tests/integration/web)."""

from __future__ import annotations

import json

from websockets.asyncio.client import connect

from tests.integration.desk.conftest import WANG_FANG, Desk, Stream, log_in_browser_agent


async def test_a_visitor_and_an_agent_chat_over_the_real_server(chat_server: Desk) -> None:
    desk = chat_server
    agent = desk.login("agent1")
    visitor_url = desk.ws + "/api/v1/chat/visitor?center=demo"
    async with (
        desk.browser_phone("agent1", 440.0),
        connect(
            desk.ws + "/api/v1/chat/desk", additional_headers={"Cookie": agent.cookie}
        ) as desk_ws,
    ):
        log_in_browser_agent(desk)
        agent_feed = Stream(desk_ws)
        await agent_feed.next("ready")
        async with connect(visitor_url) as ws:
            visitor = Stream(ws)
            hello = {"type": "hello", "language": "zh-CN", "name": "王芳", "phone": WANG_FANG}
            await ws.send(json.dumps(hello))
            welcome = await visitor.next("welcome")
            conversation = welcome["conversation"]
            await ws.send(json.dumps({"type": "say", "client_id": "v-1", "body": "你好，在吗？"}))
            first_ack = await visitor.next("ack")
            offer = await agent_feed.next("offer")
            assert offer["contact_id"] == conversation
            mine = agent.get("/api/v1/chat/mine").json()["items"]
            assert mine == [{"contact_id": conversation, "state": "offered"}]
            accepted = agent.post(f"/api/v1/chat/conversations/{conversation}/accept")
            assert accepted.status_code == 200, accepted.text
            await visitor.next("message", lambda m: m["sender"] == "system" and "客服" in m["body"])
            path = f"/api/v1/chat/conversations/{conversation}/messages"
            reply = agent.post(path, {"client_id": "q-1", "body": "您好，很高兴为您服务"})
            assert reply.status_code == 200, reply.text
            got = await visitor.next("message", lambda m: m["sender"] == "agent")
            assert got["body"] == "您好，很高兴为您服务"
            await ws.send(json.dumps({"type": "typing"}))
            assert (await agent_feed.next("typing"))["contact_id"] == conversation
            seen = got["seq"]

        # the visitor's page reloads: meanwhile the agent writes once
        assert (
            agent.post(path, {"client_id": "q-2", "body": "请问订单号是多少？"}).status_code == 200
        )
        async with connect(visitor_url) as ws:
            visitor = Stream(ws)
            resume = {"conversation": conversation, "token": welcome["token"]}
            await ws.send(json.dumps({"type": "hello", "resume": resume, "after_seq": seen}))
            assert (await visitor.next("welcome"))["conversation"] == conversation
            missed = await visitor.next("message")
            assert (missed["body"], missed["seq"]) == ("请问订单号是多少？", seen + 1)
            await ws.send(json.dumps({"type": "say", "client_id": "v-1", "body": "你好，在吗？"}))
            assert (await visitor.next("ack"))["seq"] == first_ack["seq"]  # stored once
            await ws.send(json.dumps({"type": "say", "client_id": "v-2", "body": "12345"}))
            await visitor.next("ack", lambda a: a["client_id"] == "v-2")
            from_visitor = await agent_feed.next("message", lambda m: m["body"] == "12345")
            assert from_visitor["sender"] == "customer"
            closed = agent.post(f"/api/v1/chat/conversations/{conversation}/close")
            assert closed.status_code == 200, closed.text
            await visitor.next("ended")
            await ws.send(json.dumps({"type": "survey"}))
            survey = await visitor.next("survey")
            assert survey["title"] == "服务满意度调查"
            assert not survey["answered"]
            answers = {"rating": 1, "solved": 1, "comment": "等太久了"}
            await ws.send(json.dumps({"type": "survey_answer", "answers": answers}))
            await visitor.next("survey_thanks")
            await ws.send(json.dumps({"type": "survey_answer", "answers": answers}))
            assert (await visitor.next("error"))["code"] == "quality.link.used"

    history = agent.get(path).json()["items"]
    bodies = [m["body"] for m in history]
    assert bodies.count("你好，在吗？") == 1
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
    assert agent.get(path + "?after_seq=-1").status_code == 422

    # the pre-chat phone linked the chat to the customer: her timeline shows it
    admin = desk.login("admin")
    (customer,) = admin.get(f"/api/v1/customers/lookup?phone={WANG_FANG}").json()["items"]

    def chat_on_timeline() -> bool:
        items = admin.get(f"/api/v1/customers/{customer['id']}/timeline").json()["items"]
        return any(i.get("channel") == "chat" for i in items)

    await desk.until(chat_on_timeline)

    # the rating of 1 opened a review of agent1's chat segment, like a link or IVR answer
    def reviewed() -> bool:
        items = admin.get("/api/v1/quality/reviews").json()
        return any(r["interaction_id"] == conversation and r["rating"] == 1 for r in items)

    await desk.until(reviewed)


async def test_an_unknown_center_and_a_bad_frame_are_refused(chat_server: Desk) -> None:
    async with connect(chat_server.ws + "/api/v1/chat/visitor?center=nowhere") as ws:
        await ws.wait_closed()
    assert ws.close_code == 4404
    async with connect(chat_server.ws + "/api/v1/chat/visitor?center=demo") as ws:
        await ws.send("{not json")
        error = json.loads(await ws.recv())
        assert (error["type"], error["field"]) == ("error", "frame")
