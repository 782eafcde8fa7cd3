"""The book's chapter script runs against our classes, following docs/usage.md ("Run the book's own
script") as it stands: the steps' commands, the table of imports and the added line are read from
that section.

The script (the code behind the slides: ../shared/slides/book_ch16.py here, the book's repository's
code/ch16/ch16.py for a student) runs in a folder of its own outside the project, in a new Python
process. With TRAVIS set, as the section's last step runs it, its own small-data cells keep it
short; the Hamlet part also runs on the whole play with the epochs cut, so that the CharRNN
learns something to sample.
"""
import ast
import collections
import json
import os
import re
import shlex
import subprocess
import sys

import numpy as np

from conftest import ROOT, slides_file

USAGE = os.path.join(ROOT, 'docs', 'usage.md')
HAMLET_PART = '# ## Example application: character-level language modeling'
EPOCHS = {'num_epochs=40)': 'num_epochs=1)', 'num_epochs=100,': 'num_epochs=3,',
          'num_epochs=200,': 'num_epochs=4,'}


def section():
    with open(USAGE, encoding='utf-8') as f:
        text = f.read()
    return text[text.index("## Run the book's own script"):]


def block_after(marker):
    """The lines of the code block (or table) right after `<!-- marker -->` in the section."""
    text = section()
    after = text[text.index('<!-- %s -->' % marker):].split('\n')[1:]
    if after[0].startswith('```'):
        return after[1:after.index('```', 1)]
    return [line for line in after[:after.index('')]]


def imports_table():
    """{(kind, name, nth): the import line}: the section's table, nth counting the definitions of
    one name from 1 (the first and the second create_batch_generator)."""
    out = {}
    for row in block_after('book-script-imports')[2:]:
        definition, replacement = [cell.strip() for cell in row.strip('|').split('|')]
        kind, name = re.search(r'`(class|def) (\w+)`', definition).groups()
        nth = 2 if 'second' in definition else 1
        out[(kind, name, nth)] = replacement.strip('`')
    return out


def added_line():
    """(the line to add, the line it goes right before), as the section says."""
    before = re.search(r"right before the script's first\s+`([^`]+)`", section()).group(1)
    return block_after('book-script-added-line')[0], before


def driver_code(add_line=True, epochs=None):
    """The book's script with the section's imports in place of its definitions (and the added
    line); epochs: {text: replacement} to cut its training."""
    with open(slides_file('book_ch16.py'), encoding='utf-8') as f:
        source = f.read()
    lines = source.splitlines()
    table = imports_table()
    seen = collections.Counter()
    places = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            seen[node.name] += 1
            kind = 'class' if isinstance(node, ast.ClassDef) else 'def'
            places.append((node, table.pop((kind, node.name, seen[node.name]))))
    assert table == {}, 'the table names definitions the script does not have: %s' % table
    for node, replacement in reversed(places):  # from the end, so that line numbers hold
        lines[node.lineno - 1:node.end_lineno] = [replacement]
    code = '\n'.join(lines) + '\n'
    for old, new in (epochs or {}).items():
        assert code.count(old) == 1, old
        code = code.replace(old, new)
    if add_line:
        line, before = added_line()
        assert before in code
        code = code.replace(before, line + '\n' + before, 1)
    return code


def run_step(command, folder, env):
    """A shell command of the section, run in folder (`python` being this Python)."""
    variables = dict(env)
    words = shlex.split(command)
    while '=' in words[0]:  # VARIABLE=value before the command
        name, value = words.pop(0).split('=', 1)
        variables[name] = value
    if words[0] == 'python':
        words[0] = sys.executable
    return subprocess.run(words, cwd=folder, capture_output=True, text=True, env=variables, timeout=900)


def book_folder(tmp_path, reference_data, data=True, cache=None):
    """A folder of its own outside the project, with the section's data files (cache: a data cache
    that holds movie_data.csv already)."""
    folder = tmp_path / 'book'
    folder.mkdir()
    # PYTHONPATH: this checkout, which the section's `pip install -e` makes importable from any folder.
    env = dict(os.environ, RNN_IMDB_DATA=os.path.join(reference_data, 'aclImdb_v1_labeled.tar.gz'), PYTHONPATH=ROOT)
    env.pop('TRAVIS', None)
    if cache:
        env['RNN_DATA_DIR'] = cache
    for command in block_after('book-script-data') if data else []:
        r = run_step(command, str(folder), env)
        assert r.returncode == 0, (command, r.stderr[-2000:])
    return folder, env


def samples(stdout):
    """The texts printed by the script's two print(rnn.sample(...)) calls."""
    parts = re.split(r'Tensor\("probabilities:0", shape=\(1, \d+\), dtype=float32\)\n', stdout)
    return [p.split('  << lstm_outputs')[0].rstrip('\n') for p in parts[1:]]


def test_the_documented_steps_run_the_book_script(tmp_path, reference_data, built_movie_data):
    folder, env = book_folder(tmp_path, reference_data, cache=built_movie_data)
    assert sorted(os.listdir(str(folder))) == ['movie_data.csv.gz', 'pg2265.txt']
    (folder / 'ch16.py').write_text(driver_code(), encoding='utf-8')
    r = run_step(block_after('book-script-run')[0], str(folder), env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'In 1974, the teenager Martha Moxley' in r.stdout  # print(df.head(3)) of movie_data.csv.gz
    assert re.search(r'^Test Acc\.: (0|1)\.\d{3}$', r.stdout, re.M)
    assert len(samples(r.stdout)) == 2
    for name, files in (('model', ['sentiment-39.ckpt.index']),
                        ('model-100', ['language_modeling.ckpt.index', 'model_config.json']),
                        ('model-200', ['language_modeling.ckpt.index', 'model_config.json'])):
        for file in files:
            assert os.path.isfile(str(folder / name / file)), (name, file)


def test_the_hamlet_part_learns_and_samples_with_the_scripts_own_characters(tmp_path, reference_data):
    """The whole play, the epochs cut: the samples are made of the play's commonest characters, read
    with the script's own ids (set(text), in this process's order)."""
    folder, env = book_folder(tmp_path, reference_data, data=False)
    run_step(block_after('book-script-data')[1], str(folder), env)  # pg2265.txt only
    code = driver_code(epochs={k: v for k, v in EPOCHS.items() if k != 'num_epochs=40)'})
    imports = '\n'.join(line for line in code[:code.index(HAMLET_PART)].splitlines()
                        if line.startswith(('import ', 'from ')))
    (folder / 'ch16.py').write_text(imports + '\n' + code[code.index(HAMLET_PART):] +
                                    'import json\njson.dump(list(chars), open("chars.json", "w"))\n', encoding='utf-8')
    r = run_step('python ch16.py', str(folder), env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert '(64, 2540)' in r.stdout  # reshape_data(text_ints, 64, 10) on the whole play
    chars = json.loads((folder / 'chars.json').read_text())
    for name in ('model-100', 'model-200'):  # the script's own characters, in its own order
        assert json.loads((folder / name / 'model_config.json').read_text())['vocab'] == chars
    texts = samples(r.stdout)
    assert len(texts) == 2
    with open(os.path.join(ROOT, 'pg2265.txt'), encoding='utf-8') as f:
        text = f.read()[15858:]
    common = {ch for ch, _ in collections.Counter(text).most_common(10)}
    rng = np.random.RandomState(0)
    shuffles = [dict(zip(chars, rng.permutation(chars))) for _ in range(10)]
    share = lambda sample: sum(ch in common for ch in sample) / len(sample)  # noqa: E731
    for sample in texts:
        assert sample.startswith('The ') and len(sample) == 4 + 501
        # A few epochs on Hamlet: spaces and the ten commonest characters of the play ...
        assert share(sample[4:]) >= 0.9, sample
        # ... which the same ids read with other characters are not.
        assert np.mean([share(''.join(s[ch] for ch in sample[4:])) for s in shuffles]) < 0.5


def test_without_the_added_line_sample_names_it(tmp_path, reference_data):
    folder, env = book_folder(tmp_path, reference_data, data=False)
    run_step(block_after('book-script-data')[1], str(folder), env)
    code = driver_code(add_line=False, epochs={'num_epochs=100,': 'num_epochs=1,'})
    code = code[:code.index('## run for 200 epochs')]  # up to the first sample
    imports = '\n'.join(line for line in code[:code.index(HAMLET_PART)].splitlines()
                        if line.startswith(('import ', 'from ')))
    (folder / 'ch16.py').write_text(imports + '\n' + code[code.index(HAMLET_PART):], encoding='utf-8')
    r = run_step('python ch16.py', str(folder), env)
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    assert 'CharRNN.chars = chars' in last and 'model-100' in last, last
