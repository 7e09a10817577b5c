"""Analytics: realtime aggregates, KPIs, reports, workforce management, simulation."""
