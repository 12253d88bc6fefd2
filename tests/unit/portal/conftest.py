import sys
from pathlib import Path

# The portal is not a workspace member yet: its help loader is imported from its source folder.
PORTAL_SOURCES = Path(__file__).resolve().parents[3] / "portal" / "src"
if str(PORTAL_SOURCES) not in sys.path:
    sys.path.insert(0, str(PORTAL_SOURCES))
