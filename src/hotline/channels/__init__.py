"""Text channels (web chat, SMS, e-mail) behind the interaction core's `Channel` port.

`channels.text` is the conversation core they share: messages stored before they are
acknowledged, ordered per contact and idempotent by the sender's client message id, and
`TextChannel`, the one adapter of the port for every kind of text contact. A provider package
(chat widget, SMS, e-mail) only turns its wire format into `Conversations` calls and delivers
what `Delivery` hands it (docs/text-conversations.md, ADR 0220).
"""
