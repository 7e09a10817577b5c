"""The call path's phone index of a running server sees customers that another process wrote:
a committed import (one `import.committed` fact, not one event per row) and a customer changed
elsewhere, without a restart. The server here is a `HotPath` on the same database that hears
nothing on the importer's bus, as a server beside `hotline import customers` does."""

from __future__ import annotations

from pathlib import Path

from hotline.flows import ProgramCache
from hotline.server.hot_path import HotPath
from tests.imports_data import Customer
from tests.integration.imports.conftest import Env


async def test_imported_and_changed_customers_reach_a_running_call_path(
    env: Env, tmp_path: Path
) -> None:
    server = HotPath(env.services.engine, ProgramCache(), clock=env.services.clock)
    await server.load_all()
    assert await server.customers.find_by_number(env.tenant_id, "13900139000") is None

    path = tmp_path / "c.csv"
    path.write_text("姓名,手机,VIP等级\n李强,13900139000,3\n", encoding="utf-8")
    row = await env.upload(path, rule="update")
    assert (await env.run(row["id"], "commit")).new == 1

    assert await server.catch_up_customers() == 1  # the import's one fact: all read again
    found = await server.customers.find_by_number(env.tenant_id, "+86 139 0013 9000")
    assert found is not None
    assert (found.name, found.vip_level) == ("李强", 3)

    await env.store_customers([Customer("王芳", ["+8613800138000"], [], 5, [])])
    assert await server.catch_up_customers() == 1
    wang = await server.customers.find_by_number(env.tenant_id, "13800138000")
    assert wang is not None
    assert wang.vip_level == 5
    assert await server.catch_up_customers() == 0  # nothing is applied twice
