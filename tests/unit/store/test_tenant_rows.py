"""Which rows of each table are a tenant's: one rule for a tenant's export and its purge."""

from __future__ import annotations

from hotline.store.tables import agent_skills, login_failures, queue_skills, tenants, users
from hotline.store.tenant_rows import of_tenant, tenant_tables


def sql(table: object) -> str:
    condition = of_tenant(table, "T1")  # type: ignore[arg-type]
    return (
        str(condition.compile(compile_kwargs={"literal_binds": True}))
        if condition is not None
        else ""
    )


def test_tables_with_a_tenant_column_and_the_tenants_table() -> None:
    assert sql(users) == "users.tenant_id = 'T1'"
    assert sql(tenants) == "tenants.id = 'T1'"


def test_link_tables_follow_their_parents_tenant() -> None:
    assert "agents.tenant_id = 'T1'" in sql(agent_skills)
    assert "queues.tenant_id = 'T1'" in sql(queue_skills)


def test_tables_of_no_tenant_are_left_alone() -> None:
    assert of_tenant(login_failures, "T1") is None


def test_every_table_but_the_address_and_node_keyed_ones_is_covered() -> None:
    uncovered = {table.name for table, condition in tenant_tables("T1") if condition is None}
    assert uncovered == {"login_failures", "cluster_nodes"}
