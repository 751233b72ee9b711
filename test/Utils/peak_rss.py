#!/usr/bin/env python3
"""Runs a command and prints its peak resident set size.
  peak_rss.py CMD ARGS...   ->  prints "peak_rss_kb N" (exit status of CMD)
  peak_rss.py --compare SMALL.kb BIG.kb --max-growth-kb K
                            ->  fails if the second peak exceeds the first
                                by more than K (files hold peak_rss.py output)"""
import resource
import subprocess
import sys


def main():
    if sys.argv[1] == "--compare":
        small, big = (int(open(f).read().split()[-1]) for f in sys.argv[2:4])
        limit = int(sys.argv[5])
        print(f"growth_kb {big - small} (limit {limit})")
        return 0 if big - small <= limit else 1
    r = subprocess.run(sys.argv[1:])
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return r.returncode


sys.exit(main())
