"""ivs-events: a Slack bot that explains what happened to an Amazon IVS Real-Time participant."""
