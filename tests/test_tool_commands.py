"""The commands of bench/bench_data.py and tools/mutation_summary.py, run as a user runs them, on
inputs of the test's own (tmp_path): the benchmark on the 16 reviews of a tiny tarball, the
summary on verdicts whose counts and score are worked by hand."""
import os
import subprocess
import sys

from conftest import ROOT
from data_helpers import make_imdb_tarball


def command(script, *args):
    return subprocess.run([sys.executable, os.path.join(ROOT, script)] + [str(a) for a in args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_bench_data_compares_both_ways_on_a_tiny_tarball(tmp_path):
    tarball = str(tmp_path / 'tiny.tar.gz')
    make_imdb_tarball(tarball)  # 4 reviews in each of train/test x pos/neg: 16
    r = command('bench/bench_data.py', '--data', tarball)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.splitlines()
    assert lines[0].startswith('16 reviews, ') and lines[0].endswith(
        ' words; results identical (movie_data.csv byte for byte, word ids, sequences)')
    assert [line.split()[0] for line in lines[2:]] == ['build', 'counts,', 'peak']


# Names in tools/mutation.sh's scope ('beyond_slides.files.*'), and one outside the scope, which
# the summary leaves out.
FIRST = """beyond_slides.files.x_f__mutmut_1: killed
beyond_slides.files.x_f__mutmut_2: survived
beyond_slides.files.x_f__mutmut_3: timeout
beyond_slides.files.x_f__mutmut_4: survived
outside_the_scope.x_f__mutmut_1: survived
"""
# A later run: mutant 2 now killed; 4 not checked again, so it keeps its first verdict.
LATER = """beyond_slides.files.x_f__mutmut_2: killed
beyond_slides.files.x_f__mutmut_4: not checked
"""


def summary_row(stdout, label):
    """{column: count} and the score of the summary's row `label`."""
    header, *rows = stdout.splitlines()
    cells = next(row for row in rows if row.startswith(label + ' ')).split()
    columns = ['killed', 'timeout', 'segfault', 'survived', 'no tests', 'not checked']
    assert header.split()[1:] == ['killed', 'timeout', 'segfault', 'survived', 'no', 'tests',
                                  'not', 'checked', 'score']
    return dict(zip(columns, map(int, cells[1:7]))), cells[7]


def test_mutation_summary_counts_verdicts_and_a_later_run_replaces_only_what_it_checked(tmp_path):
    (tmp_path / 'first.txt').write_text(FIRST, encoding='utf-8')
    (tmp_path / 'later.txt').write_text(LATER, encoding='utf-8')
    one, both = command('tools/mutation_summary.py', tmp_path / 'first.txt'), \
        command('tools/mutation_summary.py', tmp_path / 'first.txt', tmp_path / 'later.txt')
    assert one.returncode == 0 and both.returncode == 0, one.stderr + both.stderr
    # first alone: killed 1, timeout 1 (a kill), survived 2: 2 of 4 = 50.0 %
    counts, score = summary_row(one.stdout, 'beyond_slides.files')
    assert (counts['killed'], counts['timeout'], counts['survived'], score) == (1, 1, 2, '50.0%')
    # with the later run: killed 2, timeout 1, survived 1 (mutant 4 kept): 3 of 4 = 75.0 %
    counts, score = summary_row(both.stdout, 'beyond_slides.files')
    assert (counts['killed'], counts['timeout'], counts['survived'], counts['not checked'], score) == \
        (2, 1, 1, 0, '75.0%')
    assert 'outside_the_scope' not in one.stdout + both.stdout
    assert summary_row(both.stdout, 'all')[1] == '75.0%'


def test_bench_train_runs_as_a_command_with_its_smallest_settings(tmp_path):
    # one timed step of the sentiment graphs on 5 random word ids, no memory child processes:
    # about 6 s; its own data cache, so that it reads and writes nothing of the user's
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'bench', 'bench_train.py'), '--model', 'sentiment',
                        '--steps', '1', '--warmup', '0', '--seq-lens', '5', '--no-memory', '--random-ids'],
                       capture_output=True, text=True, cwd=ROOT, timeout=600,
                       env=dict(os.environ, RNN_DATA_DIR=str(tmp_path / 'cache')))
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.splitlines()
    assert lines[0].endswith('sentiment batches: random word ids') and lines[1].split()[0] == 'model'
    assert len(lines) == 3 and lines[2].startswith('sentiment, 5 steps'), r.stdout
