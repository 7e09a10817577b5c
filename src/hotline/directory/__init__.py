"""The center's configuration: agents, skills, teams, queues, numbers, calendars, codes."""
