"""Identity: users, passwords, sessions, API tokens, roles and the one RBAC policy."""
