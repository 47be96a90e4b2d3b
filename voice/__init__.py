"""Speech in (Vosk) and out (pyttsx3), and the audio format constants."""
