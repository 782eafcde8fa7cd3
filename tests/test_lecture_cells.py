"""notebooks/lecture_cells.py run as a command, on a copy of the repository (never on the real
notebook): it writes a lecture file's edit into its cell, and --check then passes; --check fails
(status 1, naming the cell) on a notebook older than its lecture file."""
import ast
import json
import os
import shutil
import subprocess
import sys

import pytest

from beyond_slides import deck
from conftest import ROOT

# What lecture_cells.py reads: the lecture files, the package, the notebook, docs/slides.md.
NEEDED = ['sentiment_rnn.py', 'char_rnn.py', 'data_utils.py', 'beyond_slides', 'notebooks', 'docs']


@pytest.fixture
def copy(tmp_path):
    """A copy of the repository's files that lecture_cells.py reads, its notebook current."""
    for name in NEEDED:
        source, target = os.path.join(ROOT, name), str(tmp_path / name)
        if os.path.isdir(source):
            shutil.copytree(source, target, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copy(source, target)
    assert lecture_cells(tmp_path).returncode == 0  # the copy's notebook made current first
    return tmp_path


def lecture_cells(copy, *args):
    return subprocess.run([sys.executable, str(copy / 'notebooks' / 'lecture_cells.py')] + list(args),
                          capture_output=True, text=True, cwd=str(copy), timeout=300)


def cell_of(copy, spec):
    with open(str(copy / 'notebooks' / 'rnn_lecture.ipynb'), encoding='utf-8') as f:
        nb = json.load(f)
    return next(deck.source(c) for c in nb['cells'] if c.get('metadata', {}).get('lecture') == spec)


def edit_function(path, name, line):
    """Insert `line` into the top-level function `name` of the file, before its last line."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines(True)
    node = next(n for n in ast.parse(''.join(lines)).body if isinstance(n, ast.FunctionDef) and n.name == name)
    last = lines[node.end_lineno - 1]
    indent = last[:len(last) - len(last.lstrip())]
    lines.insert(node.end_lineno - 1, indent + line + '\n')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(''.join(lines))


SPEC = 'char_rnn.py:get_top_char'
EDIT = '# a teacher edits the lecture file'


def test_writing_the_cells_puts_a_lecture_files_edit_into_its_cell_and_check_then_passes(copy):
    assert EDIT not in cell_of(copy, SPEC)
    edit_function(str(copy / 'char_rnn.py'), 'get_top_char', EDIT)
    wrote = lecture_cells(copy)
    assert wrote.returncode == 0, wrote.stderr
    assert EDIT in cell_of(copy, SPEC)
    check = lecture_cells(copy, '--check')
    assert (check.returncode, check.stdout) == (0, '')


def test_check_fails_on_a_notebook_older_than_its_lecture_file_and_changes_nothing(copy):
    notebook = copy / 'notebooks' / 'rnn_lecture.ipynb'
    before = notebook.read_bytes()
    edit_function(str(copy / 'char_rnn.py'), 'get_top_char', EDIT)
    check = lecture_cells(copy, '--check')
    assert check.returncode == 1
    assert check.stdout == 'differs from its file or rule: %s\n' % SPEC
    assert notebook.read_bytes() == before


def _lecture_cells_module():
    """notebooks/lecture_cells.py as a module (under another name: this file has a function
    lecture_cells)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('lecture_cells_tool', os.path.join(ROOT, 'notebooks', 'lecture_cells.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_top_level_finds_the_last_definition_and_refuses_a_name_that_is_no_top_level_def():
    tool = _lecture_cells_module()
    tree = ast.parse('x = 1\n'
                     'def first():\n    def inner():\n        pass\n'
                     'class Middle:\n    pass\n'
                     'def last():\n    pass\n')
    # the edge: the file's last statement is found, as its first definition and a class are
    assert (tool.top_level(tree, 'last').name, tool.top_level(tree, 'last').lineno) == ('last', 7)
    assert tool.top_level(tree, 'first').lineno == 2 and tool.top_level(tree, 'Middle').lineno == 5
    # not there, a variable, a function inside another, a name that differs by case: KeyError
    for name in ('missing', 'x', 'inner', 'Last'):
        with pytest.raises(KeyError):
            tool.top_level(tree, name)
