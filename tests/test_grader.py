"""The grader (beyond_slides/grader.py) on a class of tiny notebooks built here, hostile ones among
them: each gets its grade, the others are graded, the teacher's files stay as they were. Short
limits keep the run to seconds; one run of the class serves every test of it."""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

import json
from unittest import mock

import nbformat
import pytest

from beyond_slides import grader
from beyond_slides.deck import tags
from beyond_slides.settings import BLANK_NOTEBOOK, SOLUTIONS_NOTEBOOK
from conftest import ROOT, shared
from data_helpers import make_imdb_tarball
from file_helpers import snapshot

# A skeleton of two exercises, a and b, whose checks need nothing but Python (no TensorFlow), in the
# shape of the real one: answer cells starting with `answer = exercises.start(ID)`, check cells
# `exercises.check_ID(answer)`.
SETUP = '''import types
def start(exercise):
    return ...
def check(exercise, answer, right):
    if answer is ...:
        print('✗ Exercise %s: not yet: answer is still ...; replace it by your answer' % exercise)
    elif answer == right:
        print('✓ Exercise %s: right' % exercise)
    else:
        print('✗ Exercise %s: %r is not right' % (exercise, answer))
exercises = types.SimpleNamespace(start=start, check_a=lambda answer: check('a', answer, 2),
                                  check_b=lambda answer: check('b', answer, 'b'))'''
LIMITS = {'cell_timeout': 4, 'notebook_timeout': 40, 'memory_mb': 1500, 'output_kb': 64}


def notebook(answer_a='answer = ...', answer_b='answer = ...', outputs=None):
    """The tiny notebook with the given answer cells; outputs: {exercise: the text its check cell
    shows as stored}."""
    cells = [nbformat.v4.new_code_cell(SETUP)]
    for exercise, body in (('a', answer_a), ('b', answer_b)):
        cells.append(nbformat.v4.new_code_cell("# Exercise %s\nanswer = exercises.start('%s')\n%s"
                                               % (exercise, exercise, body), metadata={'tags': ['answer']}))
        check = nbformat.v4.new_code_cell('exercises.check_%s(answer)' % exercise, metadata={'tags': ['check']})
        if outputs:
            check.outputs = [nbformat.v4.new_output('stream', name='stdout', text=outputs[exercise] + '\n')]
            check.execution_count = 1
        cells.append(check)
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture(scope=shared)
def teacher():
    """A folder of the teacher's (root-owned, readable by all, as a course folder is): the blank
    skeleton, a file of grades no notebook may touch, and the students' submissions."""
    folder = tempfile.mkdtemp(prefix='grader-teacher-')
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def hostile_cell(teacher):
    """An answer cell that tries to delete and overwrite the teacher's files outside its folder,
    and the project copy it imports (never the repository: it stops first if it could see it);
    every attempt that fails is counted, none may succeed."""
    return '''import os, shutil
copy = os.path.realpath(os.path.join(os.environ['PYTHONPATH'], 'beyond_slides', 'exercises.py'))
assert not copy.startswith(%(repository)r), 'the kernel sees the repository: not trying to write into it'
failed = 0
for attempt in (lambda: open(%(grades)r, 'w').write('all ✓'),
                lambda: os.remove(%(grades)r),
                lambda: shutil.rmtree(%(submissions)r),
                lambda: open(%(other)r, 'w').write('{}'),
                lambda: open(%(skeleton)r, 'a').write('x'),
                lambda: open(copy, 'w')):
    try:
        attempt()
    except OSError:
        failed += 1
answer = 2 if failed == 6 else 'escaped'
''' % {'grades': os.path.join(teacher, 'grades.txt'), 'submissions': os.path.join(teacher, 'submissions'),
       'other': os.path.join(teacher, 'submissions', 'right.ipynb'), 'skeleton': os.path.join(teacher, 'blank.ipynb'),
       'repository': os.path.realpath(grader.ROOT) + os.sep}


CLASS = {
    'right.ipynb': notebook('answer = 2', "answer = 'b'"),
    'blank.ipynb': notebook(),
    'endless_loop.ipynb': notebook('answer = 2', 'while True:\n    pass'),
    'sys_exit.ipynb': notebook('import sys\nsys.exit()', "answer = 'b'"),
    'os_exit.ipynb': notebook('answer = 2', 'import os\nos._exit(1)'),
    'prints_without_end.ipynb': notebook("while True:\n    print('x' * 1000)"),
    'allocates_without_end.ipynb': notebook('hoard = []\nwhile True:\n    hoard.append(bytearray(10 ** 8))'),
    'forged.ipynb': notebook(outputs={'a': '✓ Exercise a: right', 'b': '✓ Exercise b: right'}),
    'group1/exercises.ipynb': notebook('answer = 2', "answer = 'b'"),
    'group2/exercises.ipynb': notebook('answer = 3'),
}


@pytest.fixture(scope=shared)
def graded(teacher, tmp_path_factory):
    """The class graded once: {(student, exercise): (result, line)}, the log, the results folder,
    whether the teacher's files are as before, and whether the class holds vandal.ipynb (only where
    the grader contains notebooks: elsewhere it would really write and delete the teacher's files)."""
    submissions = os.path.join(teacher, 'submissions')
    vandal = grader.isolation()[0] == 'namespaces'
    hostile = {'vandal.ipynb': notebook(hostile_cell(teacher), "answer = 'b'")} if vandal else {}
    for name, nb in dict(CLASS, **hostile).items():
        os.makedirs(os.path.dirname(os.path.join(submissions, name)), exist_ok=True)
        nbformat.write(nb, os.path.join(submissions, name))
    with open(os.path.join(submissions, 'not_json.ipynb'), 'w') as f:
        f.write('{"cells": [this is not JSON')
    for name, content in (('cell_not_a_dict.ipynb', dict(notebook(), cells=[notebook().cells[0], 1])),
                          ('json_not_a_notebook.ipynb', [1, 2])):
        with open(os.path.join(submissions, name), 'w') as f:
            json.dump(content, f)
    nbformat.write(notebook(), os.path.join(teacher, 'blank.ipynb'))
    with open(os.path.join(teacher, 'grades.txt'), 'w') as f:
        f.write('the teacher\'s grades\n')
    for path, dirs, files in os.walk(teacher):
        os.chmod(path, 0o755)
        for name in files:
            os.chmod(os.path.join(path, name), 0o644)
    before = snapshot(teacher)
    out = str(tmp_path_factory.mktemp('results'))   # exists and is empty: accepted
    log = []
    rows = grader.grade(submissions, out, os.path.join(teacher, 'blank.ipynb'), LIMITS, log=log.append, jobs=2)
    return {'rows': {(r[0], r[1]): (r[2], r[3]) for r in rows}, 'list': rows, 'log': log, 'out': out,
            'unchanged': snapshot(teacher) == before, 'vandal': vandal}


def grade_of(graded, student):
    return [graded['rows'][student, exercise][0] for exercise in ('a', 'b')]


def test_the_right_and_the_blank_notebooks_get_their_grades(graded):
    assert grade_of(graded, 'right.ipynb') == ['✓', '✓']
    assert graded['rows']['right.ipynb', 'a'][1] == '✓ Exercise a: right'
    assert grade_of(graded, 'blank.ipynb') == ['not yet', 'not yet']


def test_stored_outputs_forged_to_all_right_earn_nothing(graded):
    assert grade_of(graded, 'forged.ipynb') == ['not yet', 'not yet']


def test_two_students_with_the_same_file_name_in_two_folders_are_two_students(graded):
    assert grade_of(graded, 'group1/exercises.ipynb') == ['✓', '✓']
    assert grade_of(graded, 'group2/exercises.ipynb') == ['✗', 'not yet']
    assert graded['rows']['group2/exercises.ipynb', 'a'][1] == '✗ Exercise a: 3 is not right'


@pytest.mark.parametrize('student, why', [
    ('endless_loop.ipynb', 'did not run: a cell ran over the time limit of 4 s'),
    ('os_exit.ipynb', 'did not run: its kernel died (os._exit, a crash or the memory limit of 1500 MB)'),
    ('prints_without_end.ipynb', 'did not run: its output went over the limit of 64 KB'),
    ('allocates_without_end.ipynb', 'did not run: it went over the memory limit of 1500 MB'),
    ('not_json.ipynb', 'did not run: not a notebook (NotJSONError: '),
    ('cell_not_a_dict.ipynb', 'did not run: not a notebook ('),
    ('json_not_a_notebook.ipynb', 'did not run: not a notebook (')])
def test_a_notebook_that_breaks_a_limit_did_not_run_and_says_why(graded, student, why):
    for exercise in ('a', 'b'):
        result, line = graded['rows'][student, exercise]
        assert result == 'did not run' and line.startswith(why), line


def test_sys_exit_in_a_cell_stops_that_cell_only(graded):
    # IPython turns SystemExit into the cell's error: the kernel lives on, b is graded
    assert grade_of(graded, 'sys_exit.ipynb') == ['not yet', '✓']


def test_a_cell_cannot_touch_the_teachers_files_nor_the_projects(graded):
    if grader.isolation()[0] != 'namespaces':
        pytest.skip('not root on Linux with unshare: the grader says it cannot contain the notebooks')
    assert grade_of(graded, 'vandal.ipynb') == ['✓', '✓']   # a is 2 only when all six attempts failed
    assert graded['unchanged']


def test_every_notebook_is_graded_and_the_csv_and_summary_say_so(graded):
    students = sorted(set(CLASS) | set(['vandal.ipynb'] * graded['vandal']) |
                      {'not_json.ipynb', 'cell_not_a_dict.ipynb', 'json_not_a_notebook.ipynb'})
    assert sorted({s for s, _ in graded['rows']}) == students
    with open(os.path.join(graded['out'], 'grades.csv'), encoding='utf-8') as f:
        rows = list(csv.reader(f))
    assert rows[0] == ['student', 'exercise', 'result', 'line']
    assert [tuple(r) for r in rows[1:]] == [tuple(r) for r in graded['list']]
    with open(os.path.join(graded['out'], 'summary.csv'), encoding='utf-8') as f:
        summary = {r['exercise']: r for r in csv.DictReader(f)}
    # a: right, group1 (and vandal) ✓; b: right, sys_exit, group1 (and vandal) ✓; of 13 students (and vandal)
    a, b, n = 2 + graded['vandal'], 3 + graded['vandal'], 13 + graded['vandal']
    assert summary['a']['✓'] == str(a) and summary['b']['✓'] == str(b)
    assert summary['a']['share of ✓'] == '%.4f' % (a / n) and summary['b']['share of ✓'] == '%.4f' % (b / n)
    assert sum(int(summary['a'][r]) for r in grader.RESULTS) == n
    with open(os.path.join(graded['out'], 'summary.png'), 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    with open(os.path.join(graded['out'], 'summary.md'), encoding='utf-8') as f:
        assert '| a | %d | ' % a in f.read()


@pytest.mark.parametrize('case', ['missing', 'empty', 'results not empty', 'results inside'])
def test_bad_input_is_one_line_and_status_2_and_nothing_written(case, tmp_path, capsys):
    submissions, out = tmp_path / 'submissions', tmp_path / 'results'
    submissions.mkdir()
    if case != 'empty':
        nbformat.write(notebook(), str(submissions / 'a.ipynb'))
    if case == 'missing':
        submissions = tmp_path / 'nowhere'
    if case == 'results not empty':
        out.mkdir()
        (out / 'grades.csv').write_text('kept\n')
    if case == 'results inside':
        out = submissions / 'results'
    assert grader.main([str(submissions), '--out', str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and err.startswith('error: '), err
    expected = {'missing': 'is not a folder', 'empty': 'no notebook (*.ipynb) under',
                'results not empty': 'is not empty: give a new folder', 'results inside': 'is inside'}
    assert expected[case] in err
    if case == 'results not empty':
        assert (out / 'grades.csv').read_text() == 'kept\n'
    else:
        assert not out.exists()


def test_the_graded_notebook_is_the_teachers_with_the_students_answer_cells():
    from beyond_slides import exercises
    blank = nbformat.read(BLANK_NOTEBOOK, as_version=4)
    solutions = nbformat.read(SOLUTIONS_NOTEBOOK, as_version=4)
    built = grader.graded_notebook(blank, grader.student_answers(SOLUTIONS_NOTEBOOK))
    answers = [c.source for c in solutions.cells if 'answer' in tags(c)]
    assert [c.source for c in built.cells if grader.answer_id(c.source)] == answers
    checks = [c.source for c in blank.cells if 'check' in tags(c)]
    assert [c.source for c in built.cells if 'grader' in c.metadata] == checks
    assert sorted(grader.exercise_ids(blank)) == sorted(n[len('check_'):] for n in vars(exercises)
                                                         if n.startswith('check_'))
    assert not any(c.outputs for c in built.cells)


def test_a_warning_on_stderr_before_the_checks_line_does_not_change_its_result():
    cell = nbformat.v4.new_code_cell('exercises.check_a(answer)', outputs=[
        nbformat.v4.new_output('stream', name='stderr', text='UserWarning: something is deprecated\n'),
        nbformat.v4.new_output('stream', name='stdout', text='✓ Exercise a: right\n')])
    assert grader.printed(cell) == '✓ Exercise a: right'
    assert grader.result_of(grader.printed(cell)) == '✓'


def test_the_grader_reads_answer_cells_without_importing_tensorflow():
    # the supervisor of a class's runs stays light: TensorFlow is the notebooks' to load
    code = ("import sys\nfrom beyond_slides import grader\nassert grader.answer_id('answer = exercises.start(\"a1\")')"
            " == 'a1'\nprint('tensorflow' in sys.modules)")
    run = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == 'False'


def test_results_are_read_from_lines_not_words():
    assert [grader.result_of(line) for line in (
        '✓ Exercise 3: right', '✗ Exercise 3: not yet: answer is still ...', '✗ Questionnaire: not yet: every',
        '✗ Exercise 3: the word not yet inside', 'the check cell raised NameError: x')] == [
        '✓', 'not yet', 'not yet', '✗', '✗']


@pytest.mark.parametrize('option, value, message', [
    ('--cell-timeout', '0', 'every limit must be above 0, and --jobs at least 1'),
    ('--memory-mb', '-1', 'every limit must be above 0, and --jobs at least 1'),
    ('--jobs', '0', 'every limit must be above 0, and --jobs at least 1'),
    ('--imdb', 'no-such-data.tar.gz', 'no-such-data.tar.gz does not exist: give the IMDb data with --imdb')])
def test_a_bad_option_is_one_line_and_status_2(option, value, message, tmp_path, capsys):
    nbformat.write(notebook(), str(tmp_path / 'a.ipynb'))
    out = tmp_path.parent / (tmp_path.name + '-results')
    assert grader.main([str(tmp_path), '--out', str(out), option, value]) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and message in err, err
    assert not out.exists()


@pytest.mark.parametrize('name, message', [('garbage.tar.gz', 'is not a tar.gz archive'),
                                           ('truncated.tar.gz', 'it may be truncated'),
                                           ('movie_data.csv', 'is not a readable CSV file')])
def test_damaged_imdb_data_is_one_line_and_status_2_and_nothing_written(name, message, tmp_path, monkeypatch, capsys):
    data, out, scratch = tmp_path / name, tmp_path / 'results', tmp_path / 'scratch'
    if name == 'garbage.tar.gz':
        data.write_bytes(b'not a tarball\n' * 100)
    elif name == 'truncated.tar.gz':
        make_imdb_tarball(str(data), truncate=300)
    else:
        data.write_text('review,sentiment\n"A long review that was cut')
    (tmp_path / 'submissions').mkdir()
    nbformat.write(notebook(), str(tmp_path / 'submissions' / 'a.ipynb'))
    scratch.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(scratch))   # where the grader's temporary folders go
    assert grader.main([str(tmp_path / 'submissions'), '--out', str(out), '--imdb', str(data)]) == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]   # after the progress bar of a tarball read in part
    assert last.startswith('error: --imdb %s ' % data) and message in last, err
    assert [line for line in err.splitlines() if line.startswith('error')] == [last] and 'Traceback' not in err
    assert not out.exists() and os.listdir(str(scratch)) == []


def test_a_cell_that_is_no_dict_stops_that_notebook_only_even_where_nbformat_reads_it(tmp_path):
    # nbformat 5 refuses such a file itself (the class's cell_not_a_dict.ipynb); read as it is, it must not crash
    lax = nbformat.from_dict(dict(notebook(), cells=[notebook().cells[1], 1]))
    (tmp_path / 'odd.ipynb').write_text('{}')
    with mock.patch('nbformat.read', return_value=lax):
        report = grader.report_of(str(tmp_path / 'odd.ipynb'), notebook(), None, LIMITS, False, None, ())
    assert report['stopped'].startswith('not a notebook (AttributeError: '), report


def test_a_notebook_that_changes_a_top_level_file_of_the_project_is_named(tmp_path, monkeypatch):
    # Uncontained (not root, no unshare), a cell can write into the project: here into a copy of it.
    project = tmp_path / 'project'
    shutil.copytree(os.path.join(grader.ROOT, 'beyond_slides'), str(project / 'beyond_slides'),
                    ignore=shutil.ignore_patterns('__pycache__'))
    changed = [str(project / name) for name in ('data_utils.py', 'setup.py')]
    for path in changed:
        shutil.copy(os.path.join(grader.ROOT, os.path.basename(path)), path)
    monkeypatch.setattr(grader, 'ROOT', str(project))
    monkeypatch.setattr(grader, 'isolation', lambda: ('none', 'uncontained in this test'))
    for folder, nb in (('submissions', notebook('for path in %r:\n    open(path, "a").write("#")\nanswer = 2'
                                                % changed)), ('teacher', notebook())):
        (tmp_path / folder).mkdir()
        nbformat.write(nb, str(tmp_path / folder / 'a.ipynb'))
    found = []
    rows = grader.grade(str(tmp_path / 'submissions'), str(tmp_path / 'results'), str(tmp_path / 'teacher' / 'a.ipynb'),
                        LIMITS, log=lambda line: None, changed=found)
    assert rows[0][2] == '✓' and found == changed   # a is 2 once the cell has written


def test_the_command_grades_with_the_smallest_limits_it_accepts(tmp_path, capsys):
    # --jobs 1 and limits of 1 are the edge the command accepts: one notebook, graded
    submissions, out = tmp_path / 'submissions', tmp_path / 'results'
    submissions.mkdir()
    nbformat.write(notebook('answer = 2'), str(submissions / 'one.ipynb'))
    (tmp_path / 'teacher').mkdir()
    skeleton = tmp_path / 'teacher' / 'blank.ipynb'
    nbformat.write(notebook(), str(skeleton))
    assert grader.main([str(submissions), '--out', str(out), '--notebook', str(skeleton), '--jobs', '1',
                        '--cell-timeout', '20', '--notebook-timeout', '60', '--memory-mb', '1500',
                        '--output-kb', '1']) == 0
    with open(out / 'grades.csv', encoding='utf-8') as f:
        assert [r[:3] for r in csv.reader(f)][1:] == [['one.ipynb', 'a', '✓'], ['one.ipynb', 'b', 'not yet']]
