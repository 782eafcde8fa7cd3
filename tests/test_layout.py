"""The layout shows the lecture: its three files at the top, everything else in beyond_slides/,
and no import cycle but the scripts' hand-off to their command line."""
import ast
import re
import os
import subprocess
import sys

from conftest import ROOT

LECTURE = ('sentiment_rnn.py', 'char_rnn.py', 'data_utils.py')
# `python sentiment_rnn.py` hands over to its command line, whose command imports the model back.
HAND_OFFS = {('sentiment_rnn', 'beyond_slides.cli'), ('char_rnn', 'beyond_slides.cli')}


def project_modules():
    """{module name: path} of every Python module of the project outside tests/ and bench/."""
    modules = {name[:-3]: os.path.join(ROOT, name) for name in LECTURE}
    package = os.path.join(ROOT, 'beyond_slides')
    for name in os.listdir(package):
        if name.endswith('.py') and name != '__init__.py':
            modules['beyond_slides.' + name[:-3]] = os.path.join(package, name)
    return modules


def imports(path, modules):
    """The project modules a file imports, at its top or inside functions."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update('%s.%s' % (node.module, a.name) for a in node.names)
    return found & set(modules)


def test_top_level_python_files_are_the_lecture_and_setup():
    top = sorted(n for n in os.listdir(ROOT) if n.endswith('.py'))
    assert top == sorted(LECTURE + ('setup.py',))


def test_no_import_cycle_but_the_hand_off_to_the_command_line():
    modules = project_modules()
    graph = {name: imports(path, modules) - {name} for name, path in modules.items()}

    def reaches(start, goal, seen):
        for nxt in graph[start]:
            if nxt == goal or (nxt not in seen and (seen.add(nxt) or reaches(nxt, goal, seen))):
                return True
        return False

    for a, b in HAND_OFFS:
        assert b in graph[a] and reaches(b, a, set())  # the hand-off is there, and is the exception
        graph[a].discard(b)
    cycles = [name for name in graph if reaches(name, name, set())]
    assert cycles == []


def test_help_answers_without_importing_tensorflow():
    for script in ('sentiment_rnn.py', 'char_rnn.py'):
        code = ('import runpy, sys; sys.argv = [%r, "--help"]\n'
                'try:\n    runpy.run_path(%r, run_name="__main__")\n'
                'except SystemExit:\n    pass\n'
                'print("tensorflow" in sys.modules)') % (script, os.path.join(ROOT, script))
        r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip().endswith('False') and 'usage: python %s' % script in r.stdout


# The modules of beyond_slides/ that drive the lecture's classes: what the commands do, the
# walkthrough, predicting, the lecture's theory and pitfalls computed on its models, and the
# exercises' checks. Every other module serves the lecture files.
DRIVERS = {'beyond_slides.sentiment_command', 'beyond_slides.char_command', 'beyond_slides.walkthrough',
           'beyond_slides.predicting', 'beyond_slides.theory', 'beyond_slides.pitfalls', 'beyond_slides.exercises'}


def test_imports_run_from_the_lecture_files_to_beyond_slides_not_back():
    modules = project_modules()
    lecture = {name[:-3] for name in LECTURE}
    back = {name: sorted(imports(path, modules) & lecture) for name, path in modules.items()
            if name.startswith('beyond_slides.') and name not in DRIVERS}
    assert {name: found for name, found in back.items() if found} == {}


def test_data_utils_holds_the_lecture_only():
    with open(os.path.join(ROOT, 'data_utils.py'), encoding='utf-8') as f:
        source = f.read()
    assert len(source.splitlines()) <= 200
    for machinery in ('urllib', 'hashlib', 'tarfile', 'json'):
        assert not re.search(r'^import %s|^from %s' % (machinery, machinery), source, re.M), machinery


def modules_importing_tests(folder):
    """{module of folder: the test modules (test_*.py) it imports}, of those that import one."""
    names = [name[:-3] for name in os.listdir(folder) if name.endswith('.py')]
    tests = {name for name in names if name.startswith('test_')}
    found = {name: sorted(imports(os.path.join(folder, name + '.py'), tests)) for name in names}
    return {name: found_here for name, found_here in found.items() if found_here}


def test_no_test_module_is_imported():
    """What tests share lives in conftest.py and the helper modules beside it (data_helpers.py,
    model_helpers.py, ...), which any test may import; a test module no other module imports."""
    assert modules_importing_tests(os.path.join(ROOT, 'tests')) == {}


def test_a_module_importing_a_test_module_is_refused(tmp_path):
    (tmp_path / 'test_a.py').write_text('from test_b import CASES\nfrom data_helpers import PERIODIC\n')
    (tmp_path / 'test_b.py').write_text('import model_helpers\n')
    (tmp_path / 'data_helpers.py').write_text('import model_helpers\n\n\ndef f():\n    import test_b\n')
    (tmp_path / 'model_helpers.py').write_text('')
    assert modules_importing_tests(str(tmp_path)) == {'test_a': ['test_b'], 'data_helpers': ['test_b']}


def test_the_tensorflow_set_up_loads_no_data_machinery_and_writes_nothing(tmp_path):
    """Importing tf (beyond_slides/tf_setup.py) imports TensorFlow, not the project's data machinery
    (the downloads and their progress bars), and creates no data cache."""
    code = ('import sys\nfrom beyond_slides.tf_setup import tf\n'
            'print(sorted(m for m in ("pyprind", "beyond_slides.datasets", "data_utils") '
            'if m in sys.modules))')
    cache = tmp_path / 'cache'
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, RNN_DATA_DIR=str(cache)))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == '[]'
    assert not cache.exists() or os.listdir(str(cache)) == ['keras']  # Keras 2 keeps its keras.json there
