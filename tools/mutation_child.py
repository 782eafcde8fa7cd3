"""Commands in a new process for the mutation tool's plugin (tools/mutation_plugin.py), telling it
which mutated functions they reached.

    python tools/mutation_child.py CLI_WORKER JOBS.json RESULTS.json HITS.json

Runs tests/cli_worker.py's jobs (CLI_WORKER is its path in the tool's copy) and writes the names
the tool recorded in this process (only while it records: MUTANT_UNDER_TEST=stats) to HITS.json.
"""
import json
import os
import sys


def main(worker_path, jobs_path, results_path, hits_path):
    sys.path.insert(0, os.path.dirname(worker_path))
    import cli_worker
    try:
        cli_worker.main(jobs_path, results_path)
    finally:
        from mutmut.state import state
        with open(hits_path, 'w', encoding='utf-8') as f:
            json.dump(sorted(state()._stats), f)


if __name__ == '__main__':
    main(*sys.argv[1:])
