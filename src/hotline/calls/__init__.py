"""Call control: calls, legs, bridges, the B2BUA joining SIP dialogs with media sessions."""
