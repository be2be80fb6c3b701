"""Pure rendering: analysis results -> Block Kit and plain text. No I/O, no Slack client."""
