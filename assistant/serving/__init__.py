"""The web edge: request bounds, security headers, rate limits, the help-desk session and its exports."""
