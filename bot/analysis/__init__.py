"""Pure analysis: events -> timeline, spans, diagnosis. No I/O, no Slack."""
