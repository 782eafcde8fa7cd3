"""The mutation tool's verdicts over the scope of tools/mutation.sh, by module, and the score.

    python -m mutmut results --all true > run.txt          # in each checkout the tool ran in
    python tools/mutation_summary.py run.txt [rerun.txt ...]

A later file's verdict of a mutant replaces an earlier one's (a run again after new tests), unless
the later run did not check it. A module or function whose mutants a later file lists in full
(given as NAME=rerun.txt, e.g. after the do_not_mutate_patterns or the function's code changed
what is mutated there, and so the mutants' numbers) takes that file's mutants only.
tools/mutation.sh ends with this summary of its own run.
Score: killed (a test failed, the tests ran out of time or crashed) of the mutants the tool checked.
Equivalent mutants are not among them: each is marked on its line in the code, by
`# pragma: no mutate: REASON`, and the tool makes no mutant there.
"""
import collections
import fnmatch
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KILLED = ('killed', 'timeout', 'segfault')  # a crash of the tests' process is a failure they show


def scope_patterns():
    with open(os.path.join(ROOT, 'tools', 'mutation.sh'), encoding='utf-8') as f:
        block = f.read().split('IN_SCOPE=(', 1)[1].split(')', 1)[0]
    return [p.strip("'") for p in block.split()]


def read_results(path):
    rows = [line.strip().rsplit(': ', 1) for line in open(path, encoding='utf-8') if ': ' in line]
    return {name: status for name, status in rows}


def module_of(name):
    return re.split(r'\.x[_ǁ]', name, 1)[0]


def belongs(name, part):
    """Whether the mutant is one of a module's (its module_of) or of a function's (its prefix)."""
    return module_of(name) == part or name.startswith(part + '__mutmut_')


def merged(args):
    verdicts = {}
    for arg in args:
        part, _, path = arg.rpartition('=')
        found = read_results(path)
        if part:
            verdicts = {n: s for n, s in verdicts.items() if not belongs(n, part)}
            found = {n: s for n, s in found.items() if belongs(n, part)}
        # what the later run did not check keeps the earlier verdict
        verdicts.update({n: s for n, s in found.items() if s != 'not checked' or n not in verdicts})
    patterns = scope_patterns()
    return {n: s for n, s in verdicts.items() if any(fnmatch.fnmatch(n, p) for p in patterns)}


def main(args):
    by_module = collections.defaultdict(collections.Counter)
    for name, status in merged(args).items():
        by_module[module_of(name)][status] += 1
    columns = ['killed', 'timeout', 'segfault', 'survived', 'no tests', 'not checked']
    print('%-34s' % 'module' + ''.join('%12s' % c for c in columns) + '%8s' % 'score')
    total = collections.Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        print(row(module, counts, columns))
    print(row('all', total, columns))


def row(label, counts, columns):
    killed = sum(counts[k] for k in KILLED)
    judged = killed + counts['survived'] + counts['no tests']
    score = '%7.1f%%' % (100.0 * killed / judged) if judged else '%8s' % '-'
    return '%-34s' % label + ''.join('%12d' % counts[c] for c in columns) + score


if __name__ == '__main__':
    main(sys.argv[1:])
