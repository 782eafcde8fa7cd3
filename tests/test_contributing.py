"""CONTRIBUTING.md followed as a maintainer follows it: every file path it names exists, every
`python ...` command it names answers `--help` (and knows each `--option` the guide gives it),
every cell tag it names is one the deck's rules, the generators or the tests use, every test and
test file it names exists, and every `module.name` and constant it names is defined there. A guide gone stale
(a renamed command, path, option, tag or test) fails, as the planted ones below show."""
import functools
import glob
import os
import re
import shlex
import subprocess
import sys

import pytest

from conftest import ROOT

GUIDE = os.path.join(ROOT, 'CONTRIBUTING.md')
SPAN = re.compile(r'`([^`\n]+)`')
EXTENSIONS = ('py', 'md', 'ipynb', 'sh', 'cfg', 'ini', 'json', 'csv', 'txt')
# A path: a name with one of the extensions above, or a folder (ends with '/').
PATH = re.compile(r'(?<![\w./:-])((?:[\w.-]+/)*[\w-][\w.-]*\.(?:%s)|(?:[\w.-]+/)+)(?![\w/])' % '|'.join(EXTENSIONS))
DOTTED = re.compile(r'(?<![\w.])([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b')
SKIPPED_DIRS = {'.git', '.venv', '.venv-ci', '__pycache__', 'mutants', 'node_modules'}
# Where a cell tag is used by rules or checks: the deck, the generators, the tests.
TAG_SOURCES = ['beyond_slides/deck.py', 'notebooks/*.py', 'tests/*.py']


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def spans(text):
    return SPAN.findall(text)


@functools.lru_cache(maxsize=None)
def repository_files():
    """Every file's name and relative path in the clone (not the virtual environments' or caches')."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
        for name in filenames:
            found.add(name)
    return frozenset(found)


def missing_paths(text):
    problems = []
    for span in spans(text):
        if span.startswith(('#', '*')):   # a comment or a markdown line quoted, not a path
            continue
        for path in PATH.findall(span):
            if '/' in path:
                ok = os.path.exists(os.path.join(ROOT, path))
            else:
                ok = path in repository_files()
            if not ok:
                problems.append('path %s does not exist' % path)
    return problems


def commands(text):
    """{(kind, target): {--options}} of the `python ...` commands the guide names; kind '-m' for a
    module run as `python -m X`, else 'script'."""
    found = {}
    for span in spans(text):
        if not span.startswith('python '):
            continue
        words = shlex.split(span)[1:]
        key = ('-m', words[1]) if words[0] == '-m' else ('script', words[0])
        rest = words[2:] if words[0] == '-m' else words[1:]
        found.setdefault(key, set()).update(w.split('=')[0] for w in rest if w.startswith('--'))
    return found


@functools.lru_cache(maxsize=None)
def help_of(kind, target):
    """(exit status, output) of `python [-m] target --help`, run from the project's folder."""
    argv = [sys.executable] + (['-m', target] if kind == '-m' else [os.path.join(ROOT, target)]) + ['--help']
    r = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=120)
    return r.returncode, r.stdout + r.stderr


def broken_commands(text):
    problems = []
    for (kind, target), options in sorted(commands(text).items()):
        shown = 'python %s%s' % ('-m ' if kind == '-m' else '', target)
        if kind == 'script' and not os.path.isfile(os.path.join(ROOT, target)):
            problems.append('command %s: no such script' % shown)
            continue
        status, output = help_of(kind, target)
        if status != 0:
            problems.append('command %s --help: exit status %d' % (shown, status))
            continue
        for option in sorted(options):
            if not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(option), output):
                problems.append('command %s: its --help has no option %s' % (shown, option))
    return problems


def named_tags(text):
    """The tags of the guide's tags table (a section whose heading names tags), and every `X` of
    'tagged `X`' in its prose."""
    tags, in_tags_section = set(), False
    for line in text.splitlines():
        if line.startswith('#'):
            in_tags_section = 'tag' in line.lower()
        elif in_tags_section:
            row = re.match(r'\|\s*`([\w-]+)`\s*\|', line)
            if row:
                tags.add(row.group(1))
    tags.update(re.findall(r'tagged `([\w-]+)`', text))
    return tags


@functools.lru_cache(maxsize=None)
def tag_source_text():
    return '\n'.join(read(path) for pattern in TAG_SOURCES for path in sorted(glob.glob(os.path.join(ROOT, pattern)))
                     if not path.endswith('test_contributing.py'))


def unknown_tags(text):
    tags = named_tags(text)
    problems = [] if tags else ['the guide names no cell tags (its tags table is gone)']
    source = tag_source_text()
    return problems + ['tag %s is used by no rule or test (%s)' % (tag, ', '.join(TAG_SOURCES))
                       for tag in sorted(tags) if "'%s'" % tag not in source and '"%s"' % tag not in source]


def sources_of_tests():
    return {path: read(path) for path in glob.glob(os.path.join(ROOT, 'tests', '*.py'))}


def missing_tests(text):
    """Test files (`tests/test_x.py`, `test_x.py`) and test functions (`test_x`) the guide names."""
    problems, sources = [], None
    for span in spans(text):
        for name in re.findall(r'(?<![\w/])(?:tests/)?(test_\w+\.py)\b', span):
            if not os.path.isfile(os.path.join(ROOT, 'tests', name)):
                problems.append('test file tests/%s does not exist' % name)
        if re.fullmatch(r'test_\w+', span):
            sources = sources or sources_of_tests()
            if not any(re.search(r'^def %s\(' % span, s, re.M) for s in sources.values()):
                problems.append('test %s is defined in no test file' % span)
    return problems


def module_file(name):
    """The project's module of that name: the lecture files, beyond_slides/, notebooks/, tests/."""
    for folder in ('', 'beyond_slides', 'notebooks', 'tests'):
        path = os.path.join(ROOT, folder, name + '.py')
        if os.path.isfile(path):
            return path
    return None


@functools.lru_cache(maxsize=None)
def class_file(name):
    for path in [module_file(m) for m in ('sentiment_rnn', 'char_rnn', 'data_utils')] + \
            sorted(glob.glob(os.path.join(ROOT, 'beyond_slides', '*.py'))):
        if re.search(r'^class %s\b' % name, read(path), re.M):
            return path
    return None


def defines(path, name):
    """Whether the file at path defines name; a placeholder such as check_ID: some check_ name."""
    if name.endswith('_ID'):
        return re.search(r'^def %s\w+\(' % name[:-2], read(path), re.M) is not None
    return re.search(r'^\s*(?:def|class)\s+%s\b|^\s*%s\s*=' % (name, name), read(path), re.M) is not None


def undefined_names(text):
    """`module.name` (cli.HPARAM_OPTIONS, deck.slide_tags) and `Class.method` of the project's own
    modules and classes, each defined where the guide says; other dotted names are not the project's."""
    problems = []
    for span in spans(text):
        for owner, name in DOTTED.findall(span):
            if name in EXTENSIONS:
                continue
            if owner == 'beyond_slides':
                path = os.path.join(ROOT, 'beyond_slides', name + '.py')
                ok = os.path.isfile(path)
            else:
                path = module_file(owner) or class_file(owner)
                if path is None:
                    continue
                ok = defines(path, name)
            if not ok:
                problems.append('%s.%s is not defined in %s' % (owner, name, os.path.relpath(path, ROOT)))
    return problems


@functools.lru_cache(maxsize=None)
def project_text():
    """The project's Python sources and the lecture notebook, where its constants are set."""
    patterns = ['*.py', 'beyond_slides/*.py', 'notebooks/*.py', 'tests/*.py', 'notebooks/rnn_lecture.ipynb']
    return '\n'.join(read(path) for pattern in patterns for path in sorted(glob.glob(os.path.join(ROOT, pattern)))
                     if not path.endswith('test_contributing.py'))


def undefined_constants(text):
    """Each constant the guide names alone (`SENTIMENT_HPARAMS`, `THEORY_SLIDES`, `FULL`) is set somewhere."""
    return ['constant %s is set nowhere in the project' % span for span in sorted(set(spans(text)))
            if re.fullmatch(r'[A-Z][A-Z0-9_]+', span) and not re.search(r'\b%s\s*=' % span, project_text())]


def stale_claims(text):
    """Everything the guide names that the project does not hold: [] for a current guide."""
    found = missing_paths(text) + broken_commands(text) + unknown_tags(text) + missing_tests(text) + \
        undefined_names(text) + undefined_constants(text)
    return list(dict.fromkeys(found))   # each once, in the order found


# ---------------------------------------------------------------------------
# The guide as it is
# ---------------------------------------------------------------------------

def test_every_path_command_tag_test_and_name_the_guide_gives_is_current():
    assert stale_claims(read(GUIDE)) == []


def test_the_guide_names_the_generators_and_the_tags_of_the_deck():
    text = read(GUIDE)
    named = commands(text)
    for script in ('notebooks/lecture_cells.py', 'notebooks/make_exercises.py', 'notebooks/run_notebook.py'):
        assert ('script', script) in named, script
    assert ('-m', 'beyond_slides.deck') in named
    assert {'--check'} <= named['script', 'notebooks/lecture_cells.py']
    assert {'--run'} <= named['script', 'notebooks/make_exercises.py']
    assert {'--in-place'} <= named['script', 'notebooks/run_notebook.py']
    assert {'plot', 'figures', 'slide-code', 'notebook-only', 'answer', 'check', 'solutions-only'} <= named_tags(text)
    assert len(text.splitlines()) <= 150   # short: a guide, not a manual


# ---------------------------------------------------------------------------
# A stale guide fails: each planted change of a copy of the text is found
# ---------------------------------------------------------------------------

PLANTED = {
    'a renamed generator': ('python notebooks/lecture_cells.py', 'python notebooks/slide_cells.py',
                            'command python notebooks/slide_cells.py: no such script'),
    'a renamed module command': ('python -m beyond_slides.deck', 'python -m beyond_slides.slides',
                                 'command python -m beyond_slides.slides --help: exit status 1'),
    'a renamed option': ('python notebooks/run_notebook.py --in-place', 'python notebooks/run_notebook.py --inplace',
                         'command python notebooks/run_notebook.py: its --help has no option --inplace'),
    'a moved file': ('`beyond_slides/theory_figures.py`', '`beyond_slides/figures.py`',
                     'path beyond_slides/figures.py does not exist'),
    'a renamed tag': ('| `plot` |', '| `chart` |', 'tag chart is used by no rule or test'),
    'a renamed test file': ('`tests/test_slide_lines.py`', '`tests/test_slide_fidelity.py`',
                            'test file tests/test_slide_fidelity.py does not exist'),
    'a renamed test': ('`test_every_figure_is_labelled`', '`test_every_chart_is_labelled`',
                       'test test_every_chart_is_labelled is defined in no test file'),
    'a renamed constant': ('`THEORY_SLIDES`', '`THEORY_TITLES`', 'constant THEORY_TITLES is set nowhere'),
    'a renamed function': ('`conftest.assert_labelled`', '`conftest.assert_labeled`',
                           'conftest.assert_labeled is not defined in tests/conftest.py'),
}


@pytest.mark.parametrize('case', sorted(PLANTED))
def test_a_stale_guide_fails(case):
    old, new, problem = PLANTED[case]
    text = read(GUIDE)
    assert old in text, 'the planted case no longer matches the guide: %s' % old
    found = stale_claims(text.replace(old, new, 1))
    assert any(p.startswith(problem) for p in found), found
