"""Imports every model module so both metadata objects are complete (Alembic, tests)."""

# Each domain adds its models module here, e.g.:
# from backend.domains.accounts import models as _accounts  # noqa: F401
from backend.domains.accounts import models as _accounts  # noqa: F401,E402
from backend.domains.automation import models as _automation  # noqa: F401,E402
from backend.domains.gtt import models as _gtt  # noqa: F401,E402
from backend.domains.monitoring import models as _monitoring  # noqa: F401,E402
from backend.domains.sandbox import models as _sandbox  # noqa: F401,E402
from backend.domains.symbols import models as _symbols  # noqa: F401,E402
from backend.domains.trading import models as _trading  # noqa: F401,E402
from backend.domains.watchlists import models as _watchlists  # noqa: F401,E402
