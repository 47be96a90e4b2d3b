"""voxcart's one settings object: environment variables `VOXCART_*`, then `.env`, then defaults.

It lives in `commerce` because every other package may import `commerce`; the CLI passes the
voice settings on to `voice` and `device` so those never read the environment themselves.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_CATALOG_DIR = PROJECT_ROOT.parent / "shared" / "catalog"
BUILTIN_DEMO_DIR = Path(__file__).resolve().parent / "demo"


class Settings(BaseSettings):
    # Where the embedded store keeps its SQLite database (and other state).
    data_dir: Path = PROJECT_ROOT / "data"
    # SQLAlchemy URL; empty means SQLite at data_dir/voxcart.db.
    database_url: str = ""
    # Catalog and store facts imported on first start when the database has no products.
    demo_catalog: Path | None = None
    demo_store: Path | None = None
    # The shared secret a stock `rasa run` sends to use voxcart as its action server
    # (`/webhook`); unset, those routes are not served at all.
    action_server_token: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # HTTP request bodies, in bytes; a larger one is answered 413 before any route reads it.
    max_body_bytes: int = 64 * 1024  # every JSON route not named below
    max_catalog_import_bytes: int = 5 * 1024 * 1024  # POST /admin/catalog/import (CSV)
    max_chat_body_bytes: int = 4 * 1024  # POST /webhooks/rest/webhook (one shopper turn)
    # POST /webhook carries Rasa's whole tracker, which grows with the conversation.
    max_action_call_bytes: int = 2 * 1024 * 1024
    # JSON nested deeper than this is refused: no request body needs more, and deep nesting
    # is how a small body exhausts the recursion of parsers and validators.
    max_json_depth: int = 32
    # Moving-window rate limits, in the `limits` notation ("120/minute", several joined by
    # ";"), per staff key, per shopper token, and per client address for requests without
    # credentials; empty means no limit for that kind of caller.
    rate_limit_staff: str = "600/minute"
    rate_limit_shopper: str = "120/minute"
    rate_limit_anonymous: str = "60/minute"
    # Rate-limit counters in Redis (redis://host:port/db), shared by every server process;
    # empty keeps them in this process's memory.
    redis_url: str = ""
    # Signs the staff console's session cookies; empty: a new secret at every start (staff
    # sign in again after a restart). Set it when several server processes share the load.
    console_secret: str = ""
    console_session_hours: int = 12
    models_dir: Path = PROJECT_ROOT / "models"
    # Any Vosk model folder; empty means models_dir/vosk/<the first model there>.
    vosk_model: Path | None = None
    # The device loop: sounddevice names or numbers (empty: the system default).
    input_device: str | None = None
    output_device: str | None = None
    listen_mode: str = "wake"  # wake | push | always
    # Silence that ends an utterance: lower answers sooner, but may cut a mid-sentence pause.
    endpoint_silence_ms: int = 400
    wake_phrase: str | None = None  # default: "hey " + the store's assistant name
    # Text-to-speech (pyttsx3): voice id or name fragment, words per minute, 0.0-1.0.
    tts_voice: str | None = None
    tts_rate: int | None = None
    tts_volume: float | None = None

    class Config:
        env_prefix = "VOXCART_"
        env_file = ".env"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'voxcart.db').resolve()}"

    def demo_store_files(self) -> tuple[Path, Path]:
        """The catalog CSV and store YAML a fresh store starts from."""
        if self.demo_catalog and self.demo_store:
            return self.demo_catalog, self.demo_store
        shared_csv = SHARED_CATALOG_DIR / "corner-market.csv"
        shared_store = SHARED_CATALOG_DIR / "corner-market.store.yaml"
        if shared_csv.is_file() and shared_store.is_file():
            return shared_csv, shared_store
        return BUILTIN_DEMO_DIR / "catalog.csv", BUILTIN_DEMO_DIR / "store.yaml"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
