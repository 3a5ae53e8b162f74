#!/usr/bin/env python3
"""Rewrites the --help blocks of README.md from the built programs, so the README cannot drift.

Each block sits between `<!-- help:NAME -->` and `<!-- /help:NAME -->`; the test suite
(DocumentationTests) fails when a block differs from what `NAME --help` prints.
Usage: scripts/update-readme-help.py [BIN_DIR]   (default: .build/debug)
"""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
bin_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else root / ".build" / "debug")
readme = root / "README.md"
text = readme.read_text()

def block(match):
    name = match.group(1)
    help_text = subprocess.run([str(bin_dir / name), "--help"], check=True, capture_output=True, text=True).stdout
    return f"<!-- help:{name} -->\n```text\n{help_text.rstrip()}\n```\n<!-- /help:{name} -->"

updated = re.sub(r"<!-- help:([a-z-]+) -->.*?<!-- /help:\1 -->", block, text, flags=re.S)
if updated != text:
    readme.write_text(updated)
    print("README.md: help blocks updated")
else:
    print("README.md: help blocks already current")
