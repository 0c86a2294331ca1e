import sys

from frontdesk.adapters.witness import main

sys.exit(main())
