"""The Rasa assistant: project, custom actions, runtime, text channels, transcript runner."""
