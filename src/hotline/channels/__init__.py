"""Text channels (chat, SMS, email) behind one Channel protocol."""
