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

# {ID: check_ID} of every exercise the checking module has (IDs: '1' to '12', then names).
CHECKS = {name[len('check_'):]: f for name, f in vars(exercises).items() if re.fullmatch(r'check_\w+', name)}
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
    """The ID of the exercise a check cell checks, '1' or 'bptt'."""
    return re.fullmatch(r'exercises\.check_(\w+)\(answer\b.*\)', cell.source.strip(), re.S).group(1)


def start_line(n):
    """The first line of exercise n's answer cell: answer = exercises.start(3) or ('bptt')."""
    return 'answer = exercises.start(%s)' % (n if n.isdigit() else repr(n))


def printed(cell):
    return ''.join(o.get('text', '') for o in cell.outputs)


def heading(exercise):
    """How the task of an exercise starts: '## Exercise 3:', the questionnaire '# Questionnaire'."""
    return '# Questionnaire' if exercise == 'questionnaire' else '## Exercise %s:' % exercise


def test_the_blank_notebook_is_made_from_the_solutions():
    with open(make_exercises.BLANK, encoding='utf-8') as f:
        assert f.read() == make_exercises.blank_text(), 'run python notebooks/make_exercises.py'


def test_each_exercise_has_a_task_naming_its_slide_a_gap_and_a_check_in_the_slides_order():
    blank = read_notebook(make_exercises.BLANK)
    numbers = [check_number(c) for c in check_cells(blank)]
    assert sorted(numbers) == sorted(CHECKS) and len(set(numbers)) == len(numbers)  # one check cell per check
    assert numbers[-1] == 'questionnaire'   # on the whole chapter, after the exercises
    numbered = [int(n) for n in numbers if n.isdigit()]
    assert numbered == list(range(1, 13)), numbered   # the numbers keep their order; names go between them
    with open(slides_file('rnn-lecture-slides.md'), encoding='utf-8') as f:
        slides = f.read().lower().replace('\\', '')  # the PDF text escapes underscores
    position = 0
    for n in numbers:
        task = next(c for c in blank.cells if c.cell_type == 'markdown' and c.source.startswith(heading(n)))
        following = blank.cells[blank.cells.index(task) + 1:]
        answer = next(c for c in following if 'answer' in make_exercises.tags(c))
        assert following.index(answer) < following.index(next(c for c in following if 'check' in make_exercises.tags(c)))
        assert make_exercises.GAP in answer.source.split('\n') and 'SOLUTION' not in answer.source
        assert start_line(n) in answer.source.split('\n'), answer.source  # lets the check know the cell finished
        if n == 'questionnaire':
            continue
        slide = re.search(r'\*Slide: "(.+?)"\*', task.source).group(1)
        found = slides.find(' '.join(slide.lower().split()[-3:]), position)  # as tests/test_docs.py finds a title
        assert found >= 0, 'exercise %s: slide %r not found after the previous exercise\'s' % (n, slide)
        position = found
    assert all(not c.get('outputs') and c.get('execution_count') is None and 'execution' not in c.metadata
               for c in blank.cells if c.cell_type == 'code')  # nothing of the solutions' run


def test_a_solution_block_becomes_the_gap_and_the_lines_around_it_stay():
    source = '# Exercise 1: h\n# BEGIN SOLUTION\nh = 1\nanswer = h\n# END SOLUTION\nprint(answer)'
    assert make_exercises.gap_for_solution(source) == '# Exercise 1: h\nanswer = ...\nprint(answer)'
    with pytest.raises(ValueError, match='BEGIN SOLUTION'):
        make_exercises.gap_for_solution('answer = 1')


MALFORMED = {
    'END before BEGIN': ("answer = exercises.start(1)\n# END SOLUTION\nanswer = 1\n# BEGIN SOLUTION",
                         "its '# END SOLUTION' comes before its '# BEGIN SOLUTION'"),
    'two BEGINs': ("answer = exercises.start(1)\n# BEGIN SOLUTION\n# BEGIN SOLUTION\nanswer = 1\n# END SOLUTION",
                   "it has 2 '# BEGIN SOLUTION' and 1 '# END SOLUTION' lines; it needs exactly one of each"),
    'BEGIN without END': ("answer = exercises.start(1)\n# BEGIN SOLUTION\nanswer = 1",
                          "its '# BEGIN SOLUTION' has no '# END SOLUTION' after it"),
    'no markers': ('answer = 1', "it has no '# BEGIN SOLUTION' line")}


@pytest.fixture
def notebooks_copy(tmp_path, monkeypatch):
    """make_exercises working on copies in tmp_path: (solutions path, blank path, the blank's bytes)."""
    import shutil
    solutions, blank = tmp_path / 'exercises_solutions.ipynb', tmp_path / 'exercises.ipynb'
    shutil.copy(make_exercises.SOLUTIONS, solutions)
    blank.write_bytes(b'{"the students\' notebook": "as it was"}\n')
    monkeypatch.setattr(make_exercises, 'SOLUTIONS', str(solutions))
    monkeypatch.setattr(make_exercises, 'BLANK', str(blank))
    return solutions, blank, blank.read_bytes()


@pytest.mark.parametrize('case', sorted(MALFORMED))
def test_make_exercises_refuses_a_malformed_answer_cell_and_leaves_the_blank_notebook(case, notebooks_copy, capsys):
    import nbformat
    solutions, blank, before = notebooks_copy
    nb = nbformat.read(str(solutions), as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if 'answer' in make_exercises.tags(c))
    source, why = MALFORMED[case]
    nb.cells[index].source = '# Exercise 1: h(1) and h(2)\n' + source
    nbformat.write(nb, str(solutions))
    assert make_exercises.main([]) == 2
    out, err = capsys.readouterr()
    assert out == '' and err == (
        'error: exercises_solutions.ipynb: cell %d (# Exercise 1: h(1) and h(2)): %s; fix its markers (one '
        "'# BEGIN SOLUTION' line, then one '# END SOLUTION' line) and run this again\n" % (index, why)), err
    assert blank.read_bytes() == before
    assert sorted(p.name for p in blank.parent.iterdir()) == [
        'exercises.ipynb', 'exercises_solutions.ipynb']   # no temporary file left


def test_make_exercises_writes_the_blank_notebook_of_well_formed_solutions(notebooks_copy, capsys):
    solutions, blank, before = notebooks_copy
    assert make_exercises.main([]) == 0
    assert blank.read_text(encoding='utf-8') == make_exercises.blank_text(str(solutions))
    assert capsys.readouterr().out == 'wrote %s\n' % blank


def test_the_committed_solutions_were_run_and_every_check_passed():
    solutions = read_notebook(make_exercises.SOLUTIONS)
    for cell in check_cells(solutions):
        text = printed(cell)
        assert text.startswith('✓ %s: ' % exercises.label(check_number(cell))), text
    assert all(c.execution_count for c in solutions.cells if c.cell_type == 'code')
    assert not [o for c in solutions.cells for o in c.get('outputs', []) if o.output_type == 'error']


def exercise_code_cells(nb):
    """{N: [code cells of exercise N]}: those from its task (`## Exercise N: ...`) to the next
    heading, its given cells, its answer cell and its check cell."""
    found, current = {}, None
    for cell in nb.cells:
        if cell.cell_type == 'markdown' and cell.source.startswith('#'):
            match = re.match(r'## Exercise (\w+):|# (Questionnaire)\b', cell.source)
            current = (match.group(1) or match.group(2).lower()) if match else None
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
    plan = [('answer and check of exercise %s' % n,
             [c for c in cells[n] if {'answer', 'check'} & set(make_exercises.tags(c))]) for n in cells]
    plan += [('every cell of exercise %s' % n, cells[n]) for n in reversed(list(cells))]
    copies = []
    for label, group in plan:
        for cell in group:
            rerun = copy.deepcopy(cell)
            rerun.metadata['tags'] = make_exercises.tags(cell) + ['raises-exception']
            rerun.metadata['rerun'] = label
            copies.append(rerun)
    return copies


def stale_cells(nb):
    """Cells that, run after the blank notebook, try every check after a stale answer, as a
    student's kernel would hold it: for each exercise, its answer cell (i) raising a NameError
    after start(), then its check; (ii) setting no answer, then its check; (iii) the cell of the
    exercise before it setting an answer, then this one's check, its own answer cell not run; and
    once (iv) an answer cell that does not compile. Each cell is tagged raises-exception and has
    metadata 'stale': (the case, the exercise) on the check cells."""
    import nbformat
    cells = exercise_code_cells(nb)
    ids = list(cells)
    made = []

    def add(source, case=None, exercise=None):
        cell = nbformat.v4.new_code_cell(source, metadata={'tags': ['raises-exception']})
        if case:
            cell.metadata['stale'] = [case, exercise]
        made.append(cell)
    for position, n in enumerate(ids):
        start = start_line(n)
        check = next(c for c in cells[n] if 'check' in make_exercises.tags(c)).source
        add('%s\nanswer = 1.0\nundefined_in_%s' % (start, n))
        add(check, 'raised', n)
        add('%s\nnot_the_answer = 1.0' % start)
        add(check, 'no answer', n)
        add('%s\nanswer = (1.0, 2.0)' % start_line(ids[position - 1]))
        add(check, 'other', n)
    add('answer = exercises.start(3)\nanswer = (1, 4')
    add(next(c for c in cells['3'] if 'check' in make_exercises.tags(c)).source, 'syntax', '3')
    return made


@pytest.fixture(scope=shared)
def executed(reference_data, built_movie_data, tmp_path_factory):
    """{'solutions': ..., 'reruns': [...], 'blank': ..., 'stale': [...]}: both notebooks executed headless on the
    reference data by run_notebook.execute, each in a data cache that already holds movie_data.csv
    and with model folders of its own; in the kernel of the solutions, after its cells, the
    rerun_cells (executed, under 'reruns'); in that of the blank one, the stale_cells (under
    'stale'); a notebook in which a cell raised is the error, which its test shows."""
    import shutil
    from nbclient.exceptions import CellExecutionError
    cache = str(tmp_path_factory.mktemp('exercises-cache'))
    shutil.copytree(built_movie_data, cache, dirs_exist_ok=True)
    imdb = os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz')
    solutions = read_notebook(make_exercises.SOLUTIONS)
    n_cells = len(solutions.cells)
    solutions.cells += rerun_cells(solutions)
    blank = read_notebook(make_exercises.BLANK)
    n_blank = len(blank.cells)
    blank.cells += stale_cells(blank)
    executed = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('RNN_DATA_DIR', cache)  # the kernels' data cache
        for name, path, nb in (('solutions', make_exercises.SOLUTIONS, solutions), ('blank', make_exercises.BLANK, blank)):
            try:
                executed[name] = run_notebook.execute(path, imdb=imdb, nb=nb)
            except CellExecutionError as e:
                executed[name] = e
    if not isinstance(executed['solutions'], Exception):
        executed['reruns'] = executed['solutions'].cells[n_cells:]
        del executed['solutions'].cells[n_cells:]
    if not isinstance(executed['blank'], Exception):
        executed['stale'] = executed['blank'].cells[n_blank:]
        del executed['blank'].cells[n_blank:]
    return executed


def assert_every_check_printed(nb, start):
    """Every exercise's check cell printed one line that starts with start % its label
    ('Exercise 3', 'Questionnaire'); no cell raised."""
    assert not isinstance(nb, Exception), 'a cell raised:\n%s' % str(nb)[-3000:]
    lines = {check_number(c): printed(c).strip() for c in check_cells(nb)}
    assert sorted(lines) == sorted(CHECKS)
    for n, text in lines.items():
        assert text.startswith(start % exercises.label(n)) and '\n' not in text, text


@notebooks
def test_notebook_of_solutions_runs_headless_and_every_check_passes(executed):
    assert_every_check_printed(executed['solutions'], '✓ %s: ')
    committed = read_notebook(make_exercises.SOLUTIONS)  # the committed outputs are of the current sources
    assert [c.source for c in committed.cells] == [c.source for c in executed['solutions'].cells]


@notebooks
def test_notebook_blank_runs_headless_and_every_check_says_not_yet(executed):
    assert_every_check_printed(executed['blank'], '✗ %s: not yet: ')


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
            text = printed(cell).strip()
            checked.append(check_number(cell))
            if not text.startswith('✓ %s: ' % exercises.label(check_number(cell))):
                problems.append('%s: %s' % (cell.metadata['rerun'], text))
    assert not problems, '\n'.join(problems)
    assert sorted(checked) == sorted(list(CHECKS) * 2)


@notebooks
def test_no_check_judges_a_stale_answer_in_a_kernel(executed):
    # IPython's own hooks in a real kernel: each check after its answer cell raised, set no answer,
    # or was not run while the exercise before it set one; and an answer cell that does not compile.
    assert not isinstance(executed['blank'], Exception), 'a cell raised:\n%s' % str(executed['blank'])[-3000:]
    expected = {
        'raised': "your cell above did not finish: NameError: name 'undefined_in_%s' is not defined; fix it and "
                  'run it again',
        'no answer': 'not yet: your cell above did not set answer; end it with answer = your answer',
        'other': 'not yet: run your answer cell above (its first line, %s, marks it); '
                 "answer now holds what exercise %s's cell left",
        'syntax': 'your cell above did not finish: SyntaxError: '}
    ids = list(exercise_code_cells(read_notebook(make_exercises.BLANK)))
    seen, problems = [], []
    for cell in (c for c in executed['stale'] if 'stale' in c.metadata):
        case, n = cell.metadata['stale']
        text = printed(cell).strip()
        other = ids[ids.index(n) - 1]
        line = '✗ %s: ' % exercises.label(n) + {
            'raised': expected['raised'] % n, 'other': expected['other'] % (start_line(n), other)
        }.get(case, expected[case])
        if not (text == line or case == 'syntax' and text.startswith(line) and '\n' not in text):
            problems.append('%s, exercise %s: %r' % (case, n, text))
        seen.append((case, n))
    assert not problems, '\n'.join(problems)
    assert sorted(seen) == sorted([(case, n) for n in CHECKS for case in ('raised', 'no answer', 'other')] +
                                  [('syntax', '3')])
