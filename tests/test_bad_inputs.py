"""Every command-line entry point against every kind of bad input.

For each case: the exit status is not zero, the last line of stderr is one line
naming the problem (no traceback), every file that existed before (data,
model folders, the shipped model) is byte-for-byte the same afterwards, no file
or folder was removed, and none was added outside the data cache (no empty
model folder). Each case has a workspace of its own. Importing TensorFlow takes
seconds, so the cases share processes (tests/cli_worker.py: one per core, each
running its share of the cases one after the other, as `python script ...` would);
a case that needs something arranged around it (a read-only folder) gets a process
of its own. At the end: the option types at their edges, and run_command's exit status
and line for each kind of error, worked by hand.
"""
import argparse
import concurrent.futures
import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from beyond_slides import cli
from beyond_slides.errors import DataError, TrainingStopped, UserError, run_command

from conftest import (PERIODIC, ROOT, SHIPPED, TestConfig, make_imdb_tarball, run_cli, run_clis, snapshot,
                      synthetic_reviews, under_the_mutation_tool)

CHAR_OPTS, SENTIMENT_OPTS = TestConfig.char_opts, TestConfig.sentiment_opts

S_TRAIN = ('sentiment_rnn.py', ['--data', '{data}', '--model-dir', '{w}/new', '--epochs', 1] + SENTIMENT_OPTS)
S_WALK = ('sentiment_rnn.py', ['--walkthrough', '--data', '{data}', '--model-dir', '{w}/new'])
S_PREDICT = ('sentiment_rnn.py', ['--predict', 'a great film', '--model-dir', '{model}'])
S_RESUME = ('sentiment_rnn.py', ['--resume', '--data', '{w}/reviews.csv', '--epochs', 3,
                                 '--model-dir', '{model}'])
C_TRAIN = ('char_rnn.py', ['--train', '--data', '{data}', '--model-dir', '{w}/new', '--epochs', 1] + CHAR_OPTS)
C_WALK = ('char_rnn.py', ['--walkthrough', '--data', '{data}'])
C_SAMPLE = ('char_rnn.py', ['--sample', 20, '--prime', 'abc', '--model-dir', '{model}'])
C_RESUME = ('char_rnn.py', ['--train', '--resume', '--data', '{w}/text.txt', '--epochs', 3,
                            '--model-dir', '{model}'])

CASES = {}  # id -> (script, args, the words the error line must hold, prepare(workspace) or None)


def case(case_id, entry, message, data=None, model=None, extra=(), prepare=None):
    script, args = entry
    args = [str(a).format(w='{w}', data=data or '', model=model or '') for a in args] + [str(a) for a in extra]
    assert case_id not in CASES
    CASES[case_id] = (script, args, message, prepare)


# --- data files: missing, empty, truncated, not UTF-8, wrong format, a folder of the wrong layout
SENTIMENT_DATA = {
    'missing': ('{w}/nothing.csv', 'does not exist'),
    'empty-csv': ('{w}/empty.csv', 'is not a readable CSV file'),
    'empty-tarball': ('{w}/empty.tar.gz', 'is not a tar.gz archive'),
    'truncated-tarball': ('{w}/truncated.tar.gz', 'is not a readable tar.gz archive'),
    'truncated-csv': ('{w}/truncated.csv', 'is not a readable CSV file'),
    'latin1-csv': ('{w}/latin1.csv', 'is not UTF-8 text'),
    'latin1-tarball': ('{w}/latin1.tar.gz', 'is not UTF-8 text'),
    'wrong-columns-csv': ('{w}/wrong.csv', 'needs the columns review and sentiment'),
    'wrong-labels-csv': ('{w}/labels.csv', 'the sentiment column must hold only 0 and 1'),
    'random-bytes-tarball': ('{w}/random.tar.gz', 'is not a tar.gz archive'),
    'no-words-csv': ('{w}/nowords.csv', 'hold no words (all are blank)'),
    'corrupt-tarball': ('{w}/corrupt.tar.gz', 'is not a readable tar.gz archive'),
    'text-file': ('{w}/text.txt', 'is not a tar.gz archive (nor a .csv file)'),
    'wrong-folder': ('{w}/wrongdir', 'has no'),
}
for name, (path, message) in SENTIMENT_DATA.items():
    case('sentiment-train-data-' + name, S_TRAIN, message, data=path)
    case('sentiment-walkthrough-data-' + name, S_WALK, message, data=path)

CHAR_DATA = {
    'missing': ('{w}/nothing.txt', 'does not exist'),
    'empty': ('{w}/empty.txt', 'holds no text to train on'),
    'truncated': ('{w}/truncated_gutenberg.txt', 'it is truncated'),
    'latin1': ('{w}/latin1.txt', 'is not UTF-8 text'),
    'binary': ('{w}/nul.txt', 'holds NUL bytes'),
    'gzip': ('{w}/truncated.tar.gz', 'is not UTF-8 text'),
    'folder': ('{w}/wrongdir', 'is a folder, not a text file'),
    'too-short': ('{w}/short.txt', 'too short for one batch'),
}
for name, (path, message) in CHAR_DATA.items():
    case('char-train-data-' + name, C_TRAIN, message, data=path)
    if name != 'too-short':  # the walkthrough uses the slides' batch shape, not the options
        case('char-walkthrough-data-' + name, C_WALK, message, data=path)

# --- numbers: zero, negative and absurd, for every numeric option
WHOLE = 'is not a whole number from 1 to'
ABOVE_0 = 'is not a number above 0 and at most'
SENTIMENT_NUMBERS = {
    '--epochs': ('100000', WHOLE), '--batch-size': ('10000000', WHOLE),
    '--lstm-size': ('1000000', WHOLE), '--num-layers': ('1000', WHOLE),
    '--embed-size': ('1000000', WHOLE), '--learning-rate': ('1e300', ABOVE_0),
    '--seq-len': ('1000000000', WHOLE), '--limit': ('100000000000', WHOLE),
}
CHAR_SAMPLE_NUMBERS = {
    '--sample': ('1000000000', WHOLE), '--top-n': ('1000000', WHOLE),
    '--temperature': ('1e300', ABOVE_0), '--seed': ('99999999999', 'is not a whole number from 0 to'),
}
CHAR_TRAIN_NUMBERS = {
    '--epochs': ('100000', WHOLE), '--batch-size': ('10000000', WHOLE),
    '--num-steps': ('10000000', WHOLE), '--lstm-size': ('1000000', WHOLE),
    '--num-layers': ('1000', WHOLE), '--learning-rate': ('1e300', ABOVE_0),
    '--keep-prob': ('2', 'is not a number in (0, 1]'), '--grad-clip': ('1e300', ABOVE_0),
}
for entry, prefix, numbers in ((S_TRAIN, 'sentiment-train', SENTIMENT_NUMBERS),
                               (C_SAMPLE, 'char-sample', CHAR_SAMPLE_NUMBERS),
                               (C_TRAIN, 'char-train', CHAR_TRAIN_NUMBERS)):
    for option, (absurd, message) in numbers.items():
        values = {'negative': '-1', 'absurd': absurd, 'not-a-number': 'nan'}
        if option != '--seed':  # seed 0 is a seed like any other
            values['zero'] = '0'
        for kind, value in values.items():
            case('%s%s-%s' % (prefix, option, kind), entry, message if kind != 'not-a-number' else 'is not',
                 data='{w}/reviews.csv' if entry is S_TRAIN else '{w}/text.txt', model='{w}/cmodel',
                 extra=[option, value])

# --- model folders: missing, empty, the other model's, another configuration, damaged
MODEL_FOLDERS = {
    'missing': ('{w}/nothing', '{w}/nothing', 'has no saved model'),
    'empty': ('{w}/emptydir', '{w}/emptydir', 'has no saved model'),
    'other-model': ('{w}/cmodel', '{w}/smodel', 'model, not a'),
    'other-vocabulary': ('{w}/smodel_vocab', '{w}/cmodel_vocab', ('saved with another configuration',
                                                                   'was trained on other', 'was trained on another')),
    'damaged-config': ('{w}/smodel_json', '{w}/cmodel_json', 'is corrupt'),
    'damaged-checkpoint': ('{w}/smodel_ckpt', '{w}/cmodel_ckpt', 'it is damaged'),
    'no-checkpoint': ('{w}/smodel_nockpt', '{w}/cmodel_nockpt', 'holds no checkpoint'),
}
# --predict without a saved model names the command that trains one
TRAIN_ONE = 'has no saved model: train one first, e.g. `python sentiment_rnn.py --epochs 3 --model-dir'
for name, (s_dir, c_dir, message) in MODEL_FOLDERS.items():
    use, s_resume, c_resume = message if isinstance(message, tuple) else (message,) * 3
    case('sentiment-predict-model-' + name, S_PREDICT, TRAIN_ONE if name in ('missing', 'empty') else use,
         model=s_dir)
    case('sentiment-resume-model-' + name, S_RESUME, s_resume, model=s_dir)
    case('char-sample-model-' + name, C_SAMPLE, use, model=c_dir)
    case('char-resume-model-' + name, C_RESUME, c_resume, model=c_dir)
SETTINGS = 'was trained with other settings'
case('sentiment-predict-other-settings', S_PREDICT, SETTINGS, model='{w}/smodel', extra=['--lstm-size', 64])
case('sentiment-resume-other-settings', S_RESUME, SETTINGS, model='{w}/smodel', extra=['--embed-size', 9])
case('char-sample-other-settings', C_SAMPLE, SETTINGS, model='{w}/cmodel', extra=['--num-layers', 2])
case('char-resume-other-settings', C_RESUME, SETTINGS, model='{w}/cmodel', extra=['--keep-prob', 0.5])
case('sentiment-resume-other-data', S_RESUME, 'was trained on other reviews', model='{w}/smodel',
     extra=['--limit', 150])
case('char-resume-other-text', ('char_rnn.py', ['--train', '--resume', '--data', '{w}/other.txt',
                                                '--epochs', 3, '--model-dir', '{w}/cmodel']),
     'was trained on another text')
case('sentiment-train-over-a-model', S_TRAIN, 'already holds a trained model', data='{w}/reviews.csv',
     extra=['--model-dir', '{w}/smodel'])
case('char-train-over-the-shipped-model', ('char_rnn.py', ['--train', '--data', '{w}/text.txt']),
     'already holds a trained model')
case('sentiment-train-limit-above-the-data', S_TRAIN, 'is more than the 200 reviews in the data',
     data='{w}/reviews.csv', extra=['--limit', 1000])
case('sentiment-train-limit-below-a-batch', S_TRAIN, 'make less than one batch of 20',
     data='{w}/reviews.csv', extra=['--limit', 30])
case('char-train-over-a-model', C_TRAIN, 'already holds a trained model', data='{w}/text.txt',
     extra=['--model-dir', '{w}/cmodel'])

# --- what the user types: a prime with unknown characters, an empty prime, an empty review
case('char-sample-prime-unknown', C_SAMPLE, 'the prime has characters the model never saw: ',
     model='{w}/cmodel', extra=['--prime', 'xyz\u20ac'])
case('char-sample-prime-empty', C_SAMPLE, 'the prime is empty', model='{w}/cmodel', extra=['--prime', ''])
case('char-sample-top-n-above-vocabulary', C_SAMPLE, 'is more than the 6 characters',
     model='{w}/cmodel', extra=['--top-n', 7])
case('sentiment-predict-empty-review', S_PREDICT, 'review 2 of --predict is empty', model='{w}/smodel',
     extra=['--predict', 'great', '   '])


# --- read-only model folders: training refuses at once; sampling and predicting still work
@contextlib.contextmanager
def read_only(folder):
    """folder made read-only; for root, which ignores permissions, by a read-only bind mount."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        try:
            yield
        finally:
            os.chmod(folder, 0o755)
        return
    if subprocess.run(['mount', '--bind', '-o', 'ro', folder, folder], capture_output=True).returncode:
        pytest.skip('running as root without a way to make a folder read-only (mount --bind -o ro)')
    try:
        yield
    finally:
        subprocess.run(['umount', folder], check=True)


for name, entry, model in (('sentiment-resume', S_RESUME, '{w}/smodel'), ('char-resume', C_RESUME, '{w}/cmodel'),
                           ('sentiment-train', S_TRAIN, '{w}/readonly'), ('char-train', C_TRAIN, '{w}/readonly')):
    case(name + '-read-only-model-folder', entry, 'is not writable (read-only)', model=model,
         data='{w}/reviews.csv' if entry is S_TRAIN else '{w}/text.txt',
         extra=['--model-dir', model] if entry in (S_TRAIN, C_TRAIN) else [],
         prepare=lambda w, m=model: read_only(m.format(w=w)))


# ---------------------------------------------------------------------------

def make_assets(base):
    """The data files and model folders every case starts from."""
    os.makedirs(base)
    w = lambda name: os.path.join(base, name)  # noqa: E731
    synthetic_reviews(200).to_csv(w('reviews.csv'), index=False)
    with open(w('text.txt'), 'w', encoding='utf-8') as f:
        f.write(PERIODIC)
    with open(w('other.txt'), 'w', encoding='utf-8') as f:
        f.write(PERIODIC.replace('e', 'f'))
    for name in ('empty.csv', 'empty.tar.gz', 'empty.txt'):
        open(w(name), 'wb').close()
    make_imdb_tarball(w('truncated.tar.gz'), truncate=300)
    make_imdb_tarball(w('latin1.tar.gz'), reviews={('train', 'pos'): {'0_9.txt': 'caf\xe9'.encode('latin-1')}})
    good_csv = open(w('reviews.csv'), 'rb').read()
    with open(w('truncated.csv'), 'wb') as f:
        f.write(b'review,sentiment\n"A long review that was cut')
    with open(w('latin1.csv'), 'wb') as f:
        f.write('review,sentiment\n"Un caf\xe9 tr\xe8s bon",1\n'.encode('latin-1') + good_csv[17:])
    with open(w('nowords.csv'), 'w') as f:
        f.write('review,sentiment\n' + ''.join('" ",%d\n' % (i % 2) for i in range(200)))
    with open(w('wrong.csv'), 'w') as f:
        f.write('text,label\ngood,1\n')
    with open(w('labels.csv'), 'w') as f:
        f.write('review,sentiment\ngood,positive\n')
    with open(w('random.tar.gz'), 'wb') as f:
        f.write(b'noise' + os.urandom(4096))
    with open(w('corrupt.tar.gz'), 'wb') as f:  # gzip's magic number, then noise
        f.write(b'\x1f\x8b\x08\x00' + os.urandom(4096))
    os.makedirs(w('wrongdir/aclImdb/train'))
    with open(w('wrongdir/notes.txt'), 'w') as f:
        f.write('not the IMDb data\n')
    with open(w('truncated_gutenberg.txt'), 'w', encoding='utf-8') as f:
        f.write('header\n*** START OF THE PROJECT GUTENBERG EBOOK HAMLET ***\n' + PERIODIC)
    with open(w('latin1.txt'), 'wb') as f:
        f.write(PERIODIC.encode('utf-8') + 'na\xefve\n'.encode('latin-1'))
    with open(w('nul.txt'), 'wb') as f:
        f.write(b'abc\x00' * 100)
    with open(w('short.txt'), 'w') as f:
        f.write('abcde\n' * 3)
    os.makedirs(w('emptydir'))
    os.makedirs(w('readonly'))

    cache = w('cache')
    for r in run_clis([('sentiment_rnn.py', ['--data', w('reviews.csv'), '--epochs', 1, '--model-dir', w('smodel')]
                        + SENTIMENT_OPTS),
                       ('char_rnn.py', ['--train', '--data', w('text.txt'), '--epochs', 1, '--model-dir',
                                        w('cmodel')] + CHAR_OPTS)], env={'RNN_DATA_DIR': cache}):
        assert r.returncode == 0, r.stderr
    shutil.rmtree(cache, ignore_errors=True)
    for kind in ('smodel', 'cmodel'):
        for variant in ('vocab', 'json', 'ckpt', 'nockpt'):
            shutil.copytree(w(kind), w('%s_%s' % (kind, variant)))
        config_path = w(kind + '_vocab/model_config.json')
        with open(config_path, encoding='utf-8') as f:
            config = json.load(f)
        if kind == 'smodel':  # a vocabulary larger than the checkpoint's embedding
            config['hparams']['n_words'] += 5
            config['vocab']['zzz'] = max(config['vocab'].values()) + 5
        else:  # one character more than the checkpoint's output layer
            config['vocab'] = config['vocab'] + ['~']
        with open(config_path, 'w', encoding='utf-8') as f:
            json.dump(config, f)
        with open(w(kind + '_json/model_config.json'), 'r+b') as f:
            f.truncate(40)
        data = next(n for n in os.listdir(w(kind + '_ckpt')) if '.data-' in n)
        with open(w(kind + '_ckpt/' + data), 'r+b') as f:
            f.truncate(64)
        for name in os.listdir(w(kind + '_nockpt')):
            if 'ckpt' in name or name == 'checkpoint':
                os.remove(w(kind + '_nockpt/' + name))


def workspace_of(base, root, case_id):
    """A copy of the assets for the case, and its arguments with {w} filled in."""
    script, args, _, _ = CASES[case_id]
    workspace = os.path.join(root, case_id)
    shutil.copytree(base, workspace, symlinks=True)
    return workspace, script, [a.replace('{w}', workspace) for a in args]


def changes(workspace, before, paths_before):
    """The files changed or removed, and the files and folders added outside the data cache."""
    after, paths_after = snapshot(workspace), paths(workspace)
    changed = sorted(p for p in before if after.get(p) != before[p])
    changed += sorted('removed: ' + p for p in paths_before - paths_after if p not in before)
    changed += sorted(p for p in paths_after - paths_before if not p.startswith('cache'))
    return changed


def run_alone(base, root, case_id):
    """A case in a process of its own, inside what its prepare() arranges."""
    workspace, script, args = workspace_of(base, root, case_id)
    prepare = CASES[case_id][3] or (lambda w: contextlib.nullcontext())
    try:
        with prepare(workspace):
            before, paths_before = snapshot(workspace), paths(workspace)
            r = run_cli(script, *args, env={'RNN_DATA_DIR': os.path.join(workspace, 'cache')})
            changed = changes(workspace, before, paths_before)
    except pytest.skip.Exception as e:
        return {case_id: (e, None)}
    return {case_id: (r, changed)}


def run_together(base, root, case_ids):
    """Cases one after the other in one process (tests/cli_worker.py)."""
    jobs, states = [], []
    for case_id in case_ids:
        workspace, script, args = workspace_of(base, root, case_id)
        jobs.append((script, args, {'RNN_DATA_DIR': os.path.join(workspace, 'cache')}))
        states.append((workspace, snapshot(workspace), paths(workspace)))
    return {case_id: (r, changes(*state)) for case_id, r, state in zip(case_ids, run_clis(jobs), states)}


def paths(folder):
    """Every file and folder under folder, relative to it."""
    out = set()
    for dirpath, dirs, files in os.walk(folder):
        out.update(os.path.relpath(os.path.join(dirpath, n), folder) for n in dirs + files)
    return out


@pytest.fixture(scope='module')
def results(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('bad_inputs'))
    base = os.path.join(root, 'base')
    cases = os.path.join(root, 'cases')
    if under_the_mutation_tool():
        return EachCaseWhenAsked(assets_made_once(base), cases)
    make_assets(base)
    shipped = snapshot(SHIPPED)
    alone = sorted(cid for cid in CASES if CASES[cid][3])
    shared = sorted(cid for cid in CASES if not CASES[cid][3])
    n = max(2, os.cpu_count() or 1)
    out = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(run_together, base, cases, shared[i::n]) for i in range(n)]
        futures += [pool.submit(run_alone, base, cases, cid) for cid in alone]
        for f in futures:
            out.update(f.result())
    assert snapshot(SHIPPED) == shipped, 'the shipped model changed'
    return out


def assets_made_once(base):
    """Under the mutation tool: the assets, made (two models trained) by the first process with no
    mutant active and kept in the tool's folder for every process it starts after; base: where
    to make them when they cannot be shared. The cases test the commands' checks, not how the
    models they start from were trained."""
    import hashlib
    import inspect
    key = hashlib.md5(inspect.getsource(make_assets).encode('utf-8')).hexdigest()[:12]
    kept = os.path.join(ROOT, '.bad-input-assets-' + key)
    if os.path.isdir(kept):
        return kept
    make_assets(base)
    if os.environ.get('MUTANT_UNDER_TEST') in ('', 'stats'):  # made by the code as it is
        try:
            shutil.copytree(base, kept + '.%d' % os.getpid(), symlinks=True)
            os.rename(kept + '.%d' % os.getpid(), kept)
        except OSError:  # another process kept its own first
            pass
    return base


class EachCaseWhenAsked(dict):
    """Under the mutation tool, which runs the tests of a function's mutants only: each case runs
    in this process when its test asks for it."""

    def __init__(self, base, cases):
        super().__init__()
        self.base, self.cases = base, cases

    def __missing__(self, case_id):
        self.update(run_alone(self.base, self.cases, case_id))
        return self[case_id]


@pytest.mark.parametrize('case_id', sorted(CASES))
def test_bad_input_one_line_nonzero_and_nothing_changed(results, case_id):
    r, changed = results[case_id]
    if changed is None:
        pytest.skip(str(r))
    message = CASES[case_id][2]
    assert r.returncode != 0, r.stdout[-2000:]
    assert 'Traceback' not in r.stderr, r.stderr
    last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''
    assert last.startswith('error: ') and message in last, r.stderr[-2000:]
    assert not changed, 'files changed or created: %s' % changed


def test_debug_shows_the_traceback(tmp_path):
    r = run_cli('char_rnn.py', '--train', '--data', tmp_path / 'nothing.txt', '--debug',
                '--model-dir', tmp_path / 'm')
    assert r.returncode == 2
    assert 'Traceback' in r.stderr and r.stderr.strip().splitlines()[-1].startswith('error: ')


def test_read_only_model_folder_still_samples(tmp_path):
    text = tmp_path / 'text.txt'
    text.write_text(PERIODIC, encoding='utf-8')
    model = str(tmp_path / 'model')
    r = run_cli('char_rnn.py', '--train', '--data', text, '--epochs', 1, '--model-dir', model, *CHAR_OPTS)
    assert r.returncode == 0, r.stderr
    before = snapshot(model)
    with read_only(model):
        r = run_cli('char_rnn.py', '--sample', 10, '--prime', 'ab', '--model-dir', model)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('ab') and snapshot(model) == before


# ---------------------------------------------------------------------------
# The option types at their edges (beyond_slides/cli.py), worked by hand
# ---------------------------------------------------------------------------

def accepts(parse, text):
    return parse(text)


def refusal(parse, text):
    with pytest.raises(argparse.ArgumentTypeError) as e:
        parse(text)
    return str(e.value)


def test_count_takes_whole_numbers_from_1_to_its_bound():
    parse = cli.count(3)
    assert accepts(parse, '1') == 1 and accepts(parse, '3') == 3
    for text in ('0', '4', '-1'):
        assert refusal(parse, text) == "'%s' is not a whole number from 1 to 3" % text
    assert refusal(parse, '1.5') == "'1.5' is not a whole number from 1 to 3"
    assert refusal(parse, 'two') == "'two' is not a whole number from 1 to 3"


def test_positive_number_takes_numbers_above_0_up_to_its_bound():
    parse = cli.positive_number(2)
    assert accepts(parse, '2') == 2.0 and accepts(parse, '1e-9') == 1e-9
    for text in ('0', '-0.5', '2.001', 'nan', 'x'):
        assert refusal(parse, text) == "'%s' is not a number above 0 and at most 2" % text


def test_probability_takes_numbers_in_0_to_1():
    assert accepts(cli.probability, '1') == 1.0 and accepts(cli.probability, '0.001') == 0.001
    for text in ('0', '1.01', 'half'):
        assert refusal(cli.probability, text) == "'%s' is not a number in (0, 1]" % text


def test_seed_takes_numpys_seeds_from_0_to_2_to_the_32_minus_1():
    assert accepts(cli.seed, '0') == 0 and accepts(cli.seed, '4294967295') == 4294967295
    for text in ('-1', '4294967296', '1.0'):
        assert refusal(cli.seed, text) == "'%s' is not a whole number from 0 to 4294967295" % text


@pytest.mark.parametrize('given', ['as a list', 'on the command line'])
def test_an_option_error_is_one_line_and_status_2(capsys, monkeypatch, given):
    from beyond_slides import char_cli
    monkeypatch.setattr(sys, 'argv', ['char_rnn.py', '--seed', '-1'])
    with pytest.raises(SystemExit) as e:
        char_cli.main(['--seed', '-1'] if given == 'as a list' else None)
    assert e.value.code == 2 and capsys.readouterr() == ('', "error: argument --seed: '-1' is not a whole number "
                                                             "from 0 to 4294967295 (python char_rnn.py --help lists "
                                                             "the options)\n")


# ---------------------------------------------------------------------------
# run_command (beyond_slides/errors.py): each kind of error, its exit status and its one line
# ---------------------------------------------------------------------------

PROG = 'python sentiment_rnn.py'


def outcome(error, capsys, argv=('--epochs', '3'), debug=False):
    def main():
        raise error
    status = run_command(main, list(argv), PROG, debug=debug)
    return status, capsys.readouterr().err


def test_a_command_that_works_gives_its_own_status(capsys):
    assert run_command(lambda: 0, [], PROG) == 0 and run_command(lambda: 3, [], PROG) == 3
    assert capsys.readouterr().err == ''


@pytest.mark.parametrize('signum, status', [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_run_says_how_to_continue_it(capsys, signum, status):
    stopped = TrainingStopped('stopped by %s' % signum.name, signum)
    assert (stopped.signum, stopped.exit_code, str(stopped)) == (signum, status, 'stopped by %s' % signum.name)
    got = outcome(stopped, capsys, argv=['--resume', '--data', 'my reviews.csv', '--epochs', '40'])
    assert got == (status, "\nstopped by %s; continue with: python sentiment_rnn.py --data 'my reviews.csv' "
                           "--epochs 40 --resume\n" % signum.name)


def test_ctrl_c_outside_training_quits_with_130(capsys):
    assert outcome(KeyboardInterrupt(), capsys) == (130, '\ninterrupted\n')


def test_a_user_error_is_one_line_and_status_2(capsys):
    assert outcome(DataError('the file x is missing: give --data'), capsys) == \
        (2, 'error: the file x is missing: give --data\n')
    assert outcome(UserError('no'), capsys) == (2, 'error: no\n')


def test_a_full_disk_names_the_file_without_the_savers_temporary_suffix(capsys):
    full = OSError(errno.ENOSPC, 'No space left on device', '/m/sentiment-3.ckpt.index.tempstate123')
    advice = ': free some space and run the command again (a training run: add --resume; its last ' \
             'complete checkpoint is kept)\n'
    assert outcome(full, capsys) == (2, 'error: no space left on the disk, writing /m/sentiment-3.ckpt.index'
                                        + advice)
    assert outcome(OSError(errno.ENOSPC, 'No space left on device'), capsys) == \
        (2, 'error: no space left on the disk, writing a file' + advice)
    tensorflow_says = RuntimeError('/m/x.data-00000-of-00001.tempstate9; No space left on device\n\t[[node save]]')
    assert outcome(tensorflow_says, capsys) == (2, 'error: no space left on the disk, writing '
                                                   '/m/x.data-00000-of-00001' + advice)
    multi_line = RuntimeError('Failed to write\n/m/y.index; No space left on device')
    assert outcome(multi_line, capsys) == (2, 'error: no space left on the disk, writing /m/y.index' + advice)


def test_other_os_errors_say_what_and_where(capsys):
    assert outcome(OSError(errno.EACCES, 'Permission denied', '/m/x'), capsys) == \
        (2, 'error: Permission denied: /m/x\n')
    assert outcome(OSError(errno.EACCES, 'Permission denied'), capsys) == (2, 'error: Permission denied\n')
    assert outcome(OSError('plain'), capsys) == (2, 'error: plain\n')


def test_out_of_memory_says_which_options_to_lower(capsys):
    class ResourceExhaustedError(Exception):  # TensorFlow's, by its name
        pass
    line = 'error: out of memory: lower --batch-size, --lstm-size or --embed-size\n'
    assert outcome(MemoryError(), capsys) == (2, line)
    assert outcome(ResourceExhaustedError('OOM when allocating'), capsys) == (2, line)


def test_anything_else_is_unexpected_status_1_and_one_line(capsys):
    assert outcome(RuntimeError('boom\nsecond line'), capsys) == \
        (1, 'error: unexpected RuntimeError: boom (run again with --debug for the traceback)\n')
    assert outcome(ValueError(), capsys) == \
        (1, 'error: unexpected ValueError:  (run again with --debug for the traceback)\n')


def test_without_debug_no_traceback(capsys):
    def main():
        raise DataError('bad')
    assert run_command(main, [], PROG) == 2 and capsys.readouterr().err == 'error: bad\n'


def test_debug_prints_the_traceback_before_the_line(capsys):
    status, err = outcome(DataError('bad'), capsys, debug=True)
    assert status == 2 and err.startswith('Traceback') and err.endswith('\nerror: bad\n')
    assert 'raise error' in err
    status, err = outcome(RuntimeError('x'), capsys, debug=True)
    assert status == 1 and err.startswith('Traceback')
    for error in (OSError(errno.ENOSPC, 'No space left on device'), OSError(errno.EACCES, 'Permission denied'),
                  RuntimeError('/m/x.index; No space left on device'), MemoryError()):
        status, err = outcome(error, capsys, debug=True)
        assert status == 2 and err.startswith('Traceback') and 'raise error' in err, error
