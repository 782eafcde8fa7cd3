"""The homework's two notebooks: the blank one is made from the solutions, each exercise has its task
naming its slide, its gap and its check, in the slides' order; and (marked `notebooks`, on the
reference data) both run headless, every check of the solutions printing ✓ and every check of
the blank one "not yet"."""
import copy
import os
import re
import sys

import pytest

from beyond_slides import exercises
from conftest import ROOT, shared, slides_file

sys.path.insert(0, os.path.join(ROOT, 'notebooks'))
import make_exercises  # noqa: E402
import run_notebook  # noqa: E402

# {N: check_N} of every exercise the checking module has.
CHECKS = {int(name[len('check_'):]): f for name, f in vars(exercises).items() if re.fullmatch(r'check_\d+', name)}
notebooks = pytest.mark.notebooks

# ---------------------------------------------------------------------------
# The notebooks
# ---------------------------------------------------------------------------

def read_notebook(path):
    import nbformat
    return nbformat.read(path, as_version=4)


def check_cells(nb):
    return [c for c in nb.cells if 'check' in make_exercises.tags(c)]


def check_number(cell):
    return int(re.fullmatch(r'exercises\.check_(\d+)\(answer\b.*\)', cell.source.strip(), re.S).group(1))


def test_the_blank_notebook_is_made_from_the_solutions():
    with open(make_exercises.BLANK, encoding='utf-8') as f:
        assert f.read() == make_exercises.blank_text(), 'run python notebooks/make_exercises.py'


def test_each_exercise_has_a_task_naming_its_slide_a_gap_and_a_check_in_the_slides_order():
    blank = read_notebook(make_exercises.BLANK)
    numbers = [check_number(c) for c in check_cells(blank)]
    assert numbers == sorted(CHECKS)  # one check cell per check, in order
    with open(slides_file('rnn-lecture-slides.md'), encoding='utf-8') as f:
        slides = f.read().lower().replace('\\', '')  # the PDF text escapes underscores
    position = 0
    for n in numbers:
        task = next(c for c in blank.cells if c.cell_type == 'markdown' and c.source.startswith('## Exercise %d:' % n))
        slide = re.search(r'\*Slide: "(.+?)"\*', task.source).group(1)
        found = slides.find(' '.join(slide.lower().split()[-3:]), position)  # as tests/test_docs.py finds a title
        assert found >= 0, 'exercise %d: slide %r not found after the previous exercise\'s' % (n, slide)
        position = found
        following = blank.cells[blank.cells.index(task) + 1:]
        answer = next(c for c in following if 'answer' in make_exercises.tags(c))
        assert following.index(answer) < following.index(next(c for c in following if 'check' in make_exercises.tags(c)))
        assert make_exercises.GAP in answer.source.split('\n') and 'SOLUTION' not in answer.source
    assert all(not c.get('outputs') and c.get('execution_count') is None and 'execution' not in c.metadata
               for c in blank.cells if c.cell_type == 'code')  # nothing of the solutions' run


def test_a_solution_block_becomes_the_gap_and_the_lines_around_it_stay():
    source = '# Exercise 1: h\n# BEGIN SOLUTION\nh = 1\nanswer = h\n# END SOLUTION\nprint(answer)'
    assert make_exercises.gap_for_solution(source) == '# Exercise 1: h\nanswer = ...\nprint(answer)'
    with pytest.raises(ValueError, match='BEGIN SOLUTION'):
        make_exercises.gap_for_solution('answer = 1')


def test_the_committed_solutions_were_run_and_every_check_passed():
    solutions = read_notebook(make_exercises.SOLUTIONS)
    for cell in check_cells(solutions):
        text = ''.join(o.get('text', '') for o in cell.outputs)
        assert text.startswith('✓ Exercise %d: ' % check_number(cell)), text
    assert all(c.execution_count for c in solutions.cells if c.cell_type == 'code')
    assert not [o for c in solutions.cells for o in c.get('outputs', []) if o.output_type == 'error']


def exercise_code_cells(nb):
    """{N: [code cells of exercise N]}: those from its task (`## Exercise N: ...`) to the next
    heading, its given cells, its answer cell and its check cell."""
    found, current = {}, None
    for cell in nb.cells:
        if cell.cell_type == 'markdown' and cell.source.startswith('#'):
            match = re.match(r'## Exercise (\d+):', cell.source)
            current = int(match.group(1)) if match else None
        elif cell.cell_type == 'code' and current is not None:
            found.setdefault(current, []).append(cell)
    return found


def rerun_cells(nb):
    """Copies of the exercises' code cells that run them again, once the notebook ran, as a student
    who goes back does: first the answer and check cells of exercises 1, 2, ... (each finds what the
    given cells of the later exercises left), then every cell of exercises N, N-1, ..., 1 (the given
    cells run a second time). Each is tagged raises-exception, so that an error is recorded in its
    outputs and the next one still runs, and has metadata 'rerun': which pass and exercise."""
    cells = exercise_code_cells(nb)
    plan = [('answer and check of exercise %d' % n,
             [c for c in cells[n] if {'answer', 'check'} & set(make_exercises.tags(c))]) for n in sorted(cells)]
    plan += [('every cell of exercise %d' % n, cells[n]) for n in sorted(cells, reverse=True)]
    copies = []
    for label, group in plan:
        for cell in group:
            rerun = copy.deepcopy(cell)
            rerun.metadata['tags'] = make_exercises.tags(cell) + ['raises-exception']
            rerun.metadata['rerun'] = label
            copies.append(rerun)
    return copies


@pytest.fixture(scope=shared)
def executed(reference_data, built_movie_data, tmp_path_factory):
    """{'solutions': ..., 'reruns': [...], 'blank': ...}: both notebooks executed headless on the
    reference data by run_notebook.execute, each in a data cache that already holds movie_data.csv
    and with model folders of its own; in the kernel of the solutions, after its cells, the
    rerun_cells (executed, under 'reruns'); a notebook in which a cell raised is the error, which
    its test shows."""
    import shutil
    from nbclient.exceptions import CellExecutionError
    cache = str(tmp_path_factory.mktemp('exercises-cache'))
    shutil.copytree(built_movie_data, cache, dirs_exist_ok=True)
    imdb = os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz')
    solutions = read_notebook(make_exercises.SOLUTIONS)
    n_cells = len(solutions.cells)
    solutions.cells += rerun_cells(solutions)
    executed = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('RNN_DATA_DIR', cache)  # the kernels' data cache
        for name, path, nb in (('solutions', make_exercises.SOLUTIONS, solutions), ('blank', make_exercises.BLANK, None)):
            try:
                executed[name] = run_notebook.execute(path, imdb=imdb, nb=nb)
            except CellExecutionError as e:
                executed[name] = e
    if not isinstance(executed['solutions'], Exception):
        executed['reruns'] = executed['solutions'].cells[n_cells:]
        del executed['solutions'].cells[n_cells:]
    return executed


def assert_every_check_printed(nb, start):
    """Every exercise's check cell printed one line that starts with start % N; no cell raised."""
    assert not isinstance(nb, Exception), 'a cell raised:\n%s' % str(nb)[-3000:]
    lines = {check_number(c): ''.join(o.get('text', '') for o in c.outputs).strip() for c in check_cells(nb)}
    assert sorted(lines) == sorted(CHECKS)
    for n, text in lines.items():
        assert text.startswith(start % n) and '\n' not in text, text


@notebooks
def test_notebook_of_solutions_runs_headless_and_every_check_passes(executed):
    assert_every_check_printed(executed['solutions'], '✓ Exercise %d: ')
    committed = read_notebook(make_exercises.SOLUTIONS)  # the committed outputs are of the current sources
    assert [c.source for c in committed.cells] == [c.source for c in executed['solutions'].cells]


@notebooks
def test_notebook_blank_runs_headless_and_every_check_says_not_yet(executed):
    assert_every_check_printed(executed['blank'], '✗ Exercise %d: not yet: ')


@notebooks
def test_every_exercise_runs_again_after_the_notebook_ran(executed):
    # Going back to an exercise must work: no name a later exercise reassigns, no folder that
    # already exists, no model folder trained before may make its cells fail or its check blame
    # a right answer.
    assert not isinstance(executed['solutions'], Exception), 'a cell raised:\n%s' % str(executed['solutions'])[-3000:]
    problems, checked = [], []
    for cell in executed['reruns']:
        for error in (o for o in cell.outputs if o.output_type == 'error'):
            problems.append('%s: %s: %s' % (cell.metadata['rerun'], error.ename, error.evalue))
        if 'check' in make_exercises.tags(cell):
            text = ''.join(o.get('text', '') for o in cell.outputs).strip()
            checked.append(check_number(cell))
            if not text.startswith('✓ Exercise %d: ' % check_number(cell)):
                problems.append('%s: %s' % (cell.metadata['rerun'], text))
    assert not problems, '\n'.join(problems)
    assert sorted(checked) == sorted(list(CHECKS) * 2)
