"""ACD: agent state, queues, skills, strategies, overflow, EWT, the router (pure logic)."""
