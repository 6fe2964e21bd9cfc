import sys

from bench.reliability.suite import main

sys.exit(main())
