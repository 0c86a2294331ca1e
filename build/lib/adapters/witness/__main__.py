import sys

from adapters.witness import main

sys.exit(main())
