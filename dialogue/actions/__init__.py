"""Custom actions (rasa-sdk), one Action class per action. Rasa's stock action server runs them
with `rasa run actions --actions dialogue.actions`; voxcart runs the same classes in-process.
Importing this package does no database work."""

from dialogue.actions.shopping import *  # noqa: F403 - the executor discovers Action subclasses
