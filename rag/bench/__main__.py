import sys

from rag.bench.run import main

main(sys.argv[1:])
