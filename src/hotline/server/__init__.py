"""What `hotline serve` runs besides HTTP, wired from `Settings` by the composition root: the
telephony server (SIP, media, the interaction runtime), the config follower that keeps the
routers in step with the admin pages, the wallboard hub and the default hold music. Only
`app.py` and the CLI import this package."""
