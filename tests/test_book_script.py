"""The book's chapter script runs against our classes, as a student types its cells into Jupyter.

The script (the code behind the slides: ../shared/slides/book_ch16.py here; in the book's
repository code/ch16/ch16.py) is run top to bottom in one new Python process with its class
and function definitions replaced by imports of ours, fewer epochs, and one added line that
hands the vocabulary to CharRNN (docs/slides.md). The reviews use the book's own small-data
cell (`if 'TRAVIS' in os.environ`); the Hamlet part skips that cell, as the book tells its
readers to, so that the CharRNN trains on the whole play.
"""
import ast
import collections
import gzip
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np

from conftest import ROOT, slides_file

IMPORTS = {  # what stands for each definition of the book's script
    'SentimentRNN': 'from sentiment_rnn import SentimentRNN',
    'create_batch_generator#1': 'from sentiment_rnn import create_batch_generator',
    'reshape_data': 'from data_utils import reshape_data',
    'create_batch_generator#2': 'from char_rnn import create_batch_generator',
    'CharRNN': 'from char_rnn import CharRNN',
    'get_top_char': 'from char_rnn import get_top_char',
}
EPOCHS = {'num_epochs=40)': 'num_epochs=1)', 'num_epochs=100,': 'num_epochs=3,',
          'num_epochs=200,': 'num_epochs=4,'}
# The one line the driver code gains (docs/slides.md), before the first CharRNN is made.
ADDED_LINE = 'CharRNN.chars = chars'
FIRST_CHAR_RNN = 'rnn = CharRNN(num_classes=len(chars), batch_size=batch_size)'
HAMLET_PART = '# ## Example application: character-level language modeling'


def driver_code(add_line=True):
    """The book's script with its definitions replaced by imports, and the epochs cut."""
    with open(slides_file('book_ch16.py'), encoding='utf-8') as f:
        source = f.read()
    lines = source.splitlines()
    seen = collections.Counter()
    imports = dict(IMPORTS)
    for node in reversed(ast.parse(source).body):  # from the end, so that line numbers hold
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            seen[node.name] += 1
            name = node.name
            if name == 'create_batch_generator':
                name += '#2' if seen[name] == 1 else '#1'
            lines[node.lineno - 1:node.end_lineno] = [imports.pop(name)]
    assert imports == {}, imports
    code = '\n'.join(lines) + '\n'
    for old, new in EPOCHS.items():
        assert code.count(old) == 1, old
        code = code.replace(old, new)
    if add_line:
        assert code.count(FIRST_CHAR_RNN) == 2
        code = code.replace(FIRST_CHAR_RNN, ADDED_LINE + '\n' + FIRST_CHAR_RNN, 1)
    return code


def run_book_script(workdir, code):
    """Run the driver code in workdir in a new process: the reviews' part with TRAVIS set, the
    Hamlet part without. Returns (CompletedProcess, the script's chars in its own order)."""
    reviews, hamlet = code.split(HAMLET_PART)
    runner = ('import os, sys\nsys.path.insert(0, %r)\nos.environ["TRAVIS"] = "true"\n%s\n'
              'del os.environ["TRAVIS"]\n%s\n%s\n'
              'import json\njson.dump(list(chars), open("chars.json", "w"))\n'
              % (ROOT, reviews, HAMLET_PART, hamlet))
    with open(os.path.join(workdir, 'book_ch16.py'), 'w', encoding='utf-8') as f:
        f.write(runner)
    env = dict(os.environ)
    env.pop('TRAVIS', None)
    r = subprocess.run([sys.executable, 'book_ch16.py'], cwd=workdir, capture_output=True, text=True,
                       env=env, timeout=900)
    chars = None
    if os.path.exists(os.path.join(workdir, 'chars.json')):
        with open(os.path.join(workdir, 'chars.json'), encoding='utf-8') as f:
            chars = json.load(f)
    return r, chars


def book_workdir(tmp_path, imdb_tarball, reviews=True):
    """A folder with the files the book's script opens: movie_data.csv.gz (the first 1,000 reviews
    of the book's movie_data.csv, built from the official tarball) and pg2265.txt (the shipped copy)."""
    import data_utils
    if reviews:
        df = data_utils.load_movie_data(imdb_tarball)
        with gzip.open(str(tmp_path / 'movie_data.csv.gz'), 'wt', encoding='utf-8') as f:
            df.iloc[:1000].to_csv(f, index=False)
    shutil.copy(os.path.join(ROOT, 'pg2265.txt'), str(tmp_path / 'pg2265.txt'))
    return tmp_path


def samples(stdout):
    """The texts printed by the script's two print(rnn.sample(...)) calls."""
    parts = re.split(r'Tensor\("probabilities:0", shape=\(1, \d+\), dtype=float32\)\n', stdout)
    return [p.split('  << lstm_outputs')[0].rstrip('\n') for p in parts[1:]]


def common_share(sample, common):
    return sum(ch in common for ch in sample) / len(sample)


def test_the_books_script_runs_with_our_classes(tmp_path, imdb_tarball):
    workdir = book_workdir(tmp_path, imdb_tarball)
    r, chars = run_book_script(str(workdir), driver_code())
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout
    assert 'In 1974, the teenager Martha Moxley' in out  # print(df.head(3))
    assert re.search(r'^Test Acc\.: (0|1)\.\d{3}$', out, re.M)
    assert '(64, 2540)' in out  # reshape_data(text_ints, 64, 10) on the whole play
    for folder, files in (('model', ['sentiment-0.ckpt.index']),
                          ('model-100', ['language_modeling.ckpt.index', 'model_config.json']),
                          ('model-200', ['language_modeling.ckpt.index', 'model_config.json'])):
        for name in files:
            assert os.path.isfile(os.path.join(str(workdir), folder, name)), (folder, name)
    for folder in ('model-100', 'model-200'):  # the script's own characters, in its own order
        with open(os.path.join(str(workdir), folder, 'model_config.json'), encoding='utf-8') as f:
            assert json.load(f)['vocab'] == chars

    texts = samples(out)
    assert len(texts) == 2
    with open(os.path.join(ROOT, 'pg2265.txt'), encoding='utf-8') as f:
        text = f.read()[15858:]
    common = {ch for ch, _ in collections.Counter(text).most_common(10)}
    rng = np.random.RandomState(0)
    shuffles = [dict(zip(chars, rng.permutation(chars))) for _ in range(10)]
    for sample in texts:
        assert sample.startswith('The ') and len(sample) == 4 + 501
        # A few epochs on Hamlet: spaces and the ten commonest characters of the play ...
        assert common_share(sample[4:], common) >= 0.9, sample
        # ... which the same ids read with other characters are not.
        assert np.mean([common_share(''.join(s[ch] for ch in sample[4:]), common) for s in shuffles]) < 0.5


def test_without_the_added_line_sample_names_it(tmp_path, reference_data):
    workdir = book_workdir(tmp_path, None, reviews=False)
    code = driver_code(add_line=False)
    code = code[:code.index('## run for 200 epochs')]  # up to the first sample
    imports = '\n'.join(line for line in code[:code.index(HAMLET_PART)].splitlines()
                         if line.startswith(('import ', 'from ')))
    r, _ = run_book_script(str(workdir), imports + '\n' + code[code.index(HAMLET_PART):])  # Hamlet only
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    assert 'CharRNN.chars = chars' in last and 'model-100' in last, last
