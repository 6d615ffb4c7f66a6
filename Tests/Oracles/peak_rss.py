#!/usr/bin/env python3
"""Runs a command and reports its peak resident memory, as the kernel counted it.

Usage:
  peak_rss.py COMMAND [ARGUMENT ...]
      Prints JSON: {"status": the exit status, "stderr": its standard error, "max_rss_kib": the
      largest resident set the child reached (getrusage's ru_maxrss for children, in KiB)}.
"""
import json
import resource
import subprocess
import sys


def main():
    result = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"status": result.returncode, "stderr": result.stderr.decode(errors="replace"), "max_rss_kib": peak}))


if __name__ == "__main__":
    main()
