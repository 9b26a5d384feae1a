"""Events of every change (contracts §8): the outbox written in each change's transaction, the
feed read with a cursor or as Server-Sent Events, and signed webhook deliveries with retries."""

from dom.events.outbox import EVENT_TYPES, append_events, event_json, row_json

__all__ = ["EVENT_TYPES", "append_events", "event_json", "row_json"]
