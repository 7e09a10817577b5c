"""Workforce management around the pure planner in `hotline.analytics.wfm`: interval history
sources, the optimizer adapter, plans and schedules stored per tenant, publishing, swaps and
time off, adherence, and what-if runs through the simulator."""
