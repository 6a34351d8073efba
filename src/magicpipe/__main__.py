import sys

from magicpipe.cli import main

sys.exit(main())
