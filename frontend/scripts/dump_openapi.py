"""Write the backend's OpenAPI document to a file without starting a server.

Usage (from the repository root): uv run python frontend/scripts/dump_openapi.py OUT.json
The app factory is called with throw-away secrets; no lifespan runs, so no database is touched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from backend.core.settings import Settings
from backend.main import create_app


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "frontend/src/lib/api/openapi.json")
    filler = "openapi-dump-" + "x" * 40
    settings = Settings(_env_file=None, app_key=filler, api_key_pepper=filler)  # type: ignore[call-arg]
    document = create_app(settings).openapi()
    out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(document.get('paths', {}))} paths)")


if __name__ == "__main__":
    main()
