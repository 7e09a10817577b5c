"""Flow versions in the database: publish, no-op republish, new version, rollback, DID lookup,
on both databases; and `hotline flow publish / versions / rollback`."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.config import DatabaseSettings, Settings
from hotline.demo import DEMO_FLOW, seed_demo
from hotline.flows.emergency import EmergencyService
from hotline.flows.errors import FlowInvalid, NothingToRollBack
from hotline.flows.loader import read_flow_file
from hotline.flows.service import FlowService
from hotline.store.flow_repo import SqlEmergencySwitchStore, SqlFlowRepository
from hotline.store.uow import UnitOfWorkFactory


async def test_publish_rollback_and_did_lookup(engine: AsyncEngine, database_url: str) -> None:
    clock = FakeClock()
    uows = UnitOfWorkFactory(engine, EventBus())
    settings = Settings.load(database=DatabaseSettings(url=database_url))
    center = await seed_demo(uows, clock, settings, password="demo-password-1")
    tenant = center.tenant_id
    document = read_flow_file(DEMO_FLOW)

    async with uows() as uow:
        flows = FlowService(SqlFlowRepository(uow.conn), uow, clock)
        v1 = await flows.active(tenant, "main")  # the demo published version 1
        same = await flows.publish_document(tenant, document, queues=["sales", "support"])
        assert same.version == v1.version == 1
        changed = copy.deepcopy(document)
        changed["description"] = "v2"
        clock.advance(60)
        v2 = await flows.publish_document(tenant, changed, by="admin", note="wording")
        assert v2.version == 2
        assert (await flows.for_did(tenant, "4001")) == v2
        back = await flows.rollback(tenant, "main", by="admin")
        assert back.version == 1
        assert [(v.version, v.active) for v in await flows.versions(tenant, "main")] == [
            (1, True),
            (2, False),
        ]
        assert (await flows.version(tenant, "main", 2)).note == "wording"
        with pytest.raises(NothingToRollBack):
            await flows.rollback(tenant, "main")
        broken = copy.deepcopy(document)
        broken["start"] = "nowhere"
        with pytest.raises(FlowInvalid):
            await flows.publish_document(tenant, broken)
        await uow.commit()
    types = [r.type for r in uow.records]
    assert types.count("flow.activated") == 2
    assert "flow.published" in types

    async with uows() as uow:
        emergency = EmergencyService(SqlEmergencySwitchStore(uow.conn), uow, clock)
        await emergency.switch(tenant, active=True, message="系统维护", by="admin")
        assert (await emergency.variables(tenant))["emergency.active"] is True
        await uow.commit()


def test_flow_cli_publish_versions_rollback(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/h.db",
        "HOTLINE_VAR_DIR": str(tmp_path),
        "HOTLINE_MEDIA__PROMPTS_DIR": str(tmp_path / "prompts"),
    }

    def hotline(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hotline.cli", *args], env=env, capture_output=True, text=True
        )

    seed = (
        "import asyncio\n"
        "from hotline.app import build_services\n"
        "from hotline.config import Settings\n"
        "from hotline.demo import seed_demo\n"
        "async def main():\n"
        "    s = build_services(Settings.load())\n"
        "    await s.start()\n"
        "    await seed_demo(s.uow, s.clock, s.settings, password='demo-password-1')\n"
        "    await s.stop()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", seed], env=env, check=True)
    changed = tmp_path / "main.yaml"
    changed.write_text(DEMO_FLOW.read_text().replace("description:", "description: v2 —", 1))
    r = hotline("flow", "publish", str(changed), "--note", "v2")
    assert r.returncode == 0, r.stderr
    assert "version 2 is active" in r.stdout
    r = hotline("flow", "versions", "main")
    assert r.stdout.splitlines()[1].startswith("*   2")
    r = hotline("flow", "rollback", "main")
    assert "version 1 is active" in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO_FLOW.read_text().replace("queue: support", "queue: nosuchqueue", 1))
    r = hotline("flow", "publish", str(bad))
    assert r.returncode == 1
    assert "nosuchqueue" in r.stderr
