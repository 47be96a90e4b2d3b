"""What the shopping assistant can do, one capability per module, over one `Turn`.
Rasa decides which action runs (dialogue/actions); `dispatch.HANDLERS` maps each action to
its handler here."""
