"""Every command-line entry point against every kind of bad input.

For each case: the exit status is not zero, the last line of stderr is one line
naming the problem (no traceback), every file that existed before (data,
model folders, the shipped model) is byte-for-byte the same afterwards, no file
or folder was removed, and none was added outside the data cache (no empty
model folder). Each case has a workspace of its own. Importing TensorFlow takes
seconds, so the selected cases of each command (`-k`, or a test's id) run one after
the other in one process (tests/cli_worker.py), as `python script ...` would, but
--export-keras alone; with -n, each command's cases go to a worker of their own.
"""
import collections
import contextlib
import os
import shutil
import subprocess

import pytest

from conftest import HOOKS, run_cli, run_clis
from data_helpers import PERIODIC, make_imdb_tarball, synthetic_reviews
from file_helpers import snapshot
from model_helpers import SHIPPED, TestConfig, edit_config

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

# message: the words the error line must hold; env: the case's environment variables ({w}: its workspace);
# not_said: words the error line must not hold
Case = collections.namedtuple('Case', 'script args message prepare env not_said')
CASES = {}  # id -> Case


def case(case_id, entry, message, data=None, model=None, extra=(), prepare=None, env=None, not_said=()):
    script, args = entry
    args = [str(a).format(w='{w}', data=data or '', model=model or '') for a in args] + [str(a) for a in extra]
    assert case_id not in CASES
    CASES[case_id] = Case(script, args, message, prepare, env or {}, not_said)


def env_of(case_id, workspace):
    """The case's environment: its own data cache, and its own variables."""
    return dict({'RNN_DATA_DIR': os.path.join(workspace, 'cache')},
                **{k: v.replace('{w}', workspace) for k, v in CASES[case_id].env.items()})


# --- data files: missing, empty, truncated, not UTF-8, wrong format, a folder of the wrong layout
DATA = [  # (the command's model, case, the data given, the words the error line must hold)
    ('sentiment', 'missing', '{w}/nothing.csv', 'does not exist'),
    ('sentiment', 'empty-csv', '{w}/empty.csv', 'is not a readable CSV file'),
    ('sentiment', 'empty-tarball', '{w}/empty.tar.gz', 'is not a tar.gz archive'),
    ('sentiment', 'truncated-tarball', '{w}/truncated.tar.gz', 'is not a readable tar.gz archive'),
    ('sentiment', 'truncated-csv', '{w}/truncated.csv', 'is not a readable CSV file'),
    ('sentiment', 'latin1-csv', '{w}/latin1.csv', 'is not UTF-8 text'),
    ('sentiment', 'latin1-tarball', '{w}/latin1.tar.gz', 'is not UTF-8 text'),
    ('sentiment', 'wrong-columns-csv', '{w}/wrong.csv', 'needs the columns review and sentiment'),
    ('sentiment', 'wrong-labels-csv', '{w}/labels.csv', 'the sentiment column must hold only 0 and 1'),
    ('sentiment', 'random-bytes-tarball', '{w}/random.tar.gz', 'is not a tar.gz archive'),
    ('sentiment', 'no-words-csv', '{w}/nowords.csv', 'hold no words (all are blank)'),
    ('sentiment', 'corrupt-tarball', '{w}/corrupt.tar.gz', 'is not a readable tar.gz archive'),
    ('sentiment', 'text-file', '{w}/text.txt', 'is not a tar.gz archive (nor a .csv file)'),
    ('sentiment', 'wrong-folder', '{w}/wrongdir', 'has no'),
    ('char', 'missing', '{w}/nothing.txt', 'does not exist'),
    ('char', 'empty', '{w}/empty.txt', 'holds no text to train on'),
    ('char', 'truncated', '{w}/truncated_gutenberg.txt', 'it is truncated'),
    ('char', 'latin1', '{w}/latin1.txt', 'is not UTF-8 text'),
    ('char', 'binary', '{w}/nul.txt', 'holds NUL bytes'),
    ('char', 'gzip', '{w}/truncated.tar.gz', 'is not UTF-8 text'),
    ('char', 'folder', '{w}/wrongdir', 'is a folder, not a text file'),
    ('char', 'too-short', '{w}/short.txt', 'too short for one batch'),
]
for model, name, path, message in DATA:
    case('%s-train-data-%s' % (model, name), S_TRAIN if model == 'sentiment' else C_TRAIN, message, data=path)
    if name != 'too-short':  # the walkthrough uses the slides' batch shape, not the options
        case('%s-walkthrough-data-%s' % (model, name), S_WALK if model == 'sentiment' else C_WALK, message,
             data=path)

# --- numbers: zero, negative and absurd, for every numeric option
WHOLE = 'is not a whole number from'
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
    'a-file': ('{w}/reviews.csv', '{w}/text.txt', 'is a file, not a'),
    # model_config.json without one of its fields, or without one hyperparameter the graph needs
    'config-without-vocab': ('{w}/smodel_novocab', '{w}/cmodel_novocab', 'is corrupt'),
    'config-without-hparams': ('{w}/smodel_nohparams', '{w}/cmodel_nohparams', 'is corrupt'),
    'config-without-model': ('{w}/smodel_nomodel', '{w}/cmodel_nomodel', 'is corrupt'),
    'config-without-lstm-size': ('{w}/smodel_nolstm', '{w}/cmodel_nolstm', 'is corrupt (its hparams lack lstm_size)'),
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
# a checkpoint whose .data file was deleted: a missing file, named; each command names its own model's file
MISSING_DATA = '%s_nodata/%s.ckpt.data-00000-of-00001 is missing'
case('sentiment-predict-model-checkpoint-data-deleted', S_PREDICT, MISSING_DATA % ('smodel', 'sentiment-0'),
     model='{w}/smodel_nodata')
case('char-sample-model-checkpoint-data-deleted', C_SAMPLE, MISSING_DATA % ('cmodel', 'language_modeling'),
     model='{w}/cmodel_nodata')
case('char-export-model-checkpoint-data-deleted',
     ('char_rnn.py', ['--export-keras', '{w}/new.keras', '--model-dir', '{w}/cmodel_nodata']),
     MISSING_DATA % ('cmodel', 'language_modeling'))
SETTINGS = 'was trained with other settings'
case('sentiment-predict-other-settings', S_PREDICT, SETTINGS, model='{w}/smodel', extra=['--lstm-size', 64])
case('char-sample-other-settings', C_SAMPLE, SETTINGS, model='{w}/cmodel', extra=['--num-layers', 2])
# --resume with each saved hyperparameter given another value (the models: TestConfig's)
OTHER_VALUES = {'sentiment': {'seq_len': 13, 'lstm_size': 17, 'num_layers': 2, 'batch_size': 21,
                              'learning_rate': 0.02, 'embed_size': 9},
                'char': {'batch_size': 5, 'num_steps': 11, 'lstm_size': 33, 'num_layers': 2,
                         'learning_rate': 0.02, 'keep_prob': 0.5, 'grad_clip': 4.0}}
for model, values in OTHER_VALUES.items():
    saved = getattr(TestConfig, model)
    for name, value in values.items():
        option = '--' + name.replace('_', '-')
        case('%s-resume-other-%s' % (model, name), S_RESUME if model == 'sentiment' else C_RESUME,
             '%s: %s %s (saved: %s)' % (SETTINGS, option, value, saved[name]),
             model='{w}/%s' % ('smodel' if model == 'sentiment' else 'cmodel'), extra=[option, value])
case('sentiment-train-batch-size-1', S_TRAIN, "'1' is not a whole number from 2 to", data='{w}/reviews.csv',
     extra=['--batch-size', 1])
case('sentiment-resume-other-data', S_RESUME, 'was trained on other reviews', model='{w}/smodel',
     extra=['--limit', 150])
case('char-resume-other-text', ('char_rnn.py', ['--train', '--resume', '--data', '{w}/other.txt',
                                                '--epochs', 3, '--model-dir', '{w}/cmodel']),
     'was trained on another text')
case('sentiment-train-over-a-model', S_TRAIN, 'already holds a trained model', data='{w}/reviews.csv',
     extra=['--model-dir', '{w}/smodel'])
SHIPPED_REFUSED = 'is the CharRNN shipped with the project, which training never changes: train into a folder of ' \
                  'your own, e.g. --model-dir models/my_char_rnn'
case('char-train-over-the-shipped-model', ('char_rnn.py', ['--train', '--data', '{w}/text.txt', '--model-dir', SHIPPED]),
     SHIPPED_REFUSED, not_said=['--resume'])
case('char-resume-the-shipped-model', ('char_rnn.py', ['--train', '--resume', '--data', '{w}/text.txt', '--epochs',
                                                       300, '--model-dir', SHIPPED]), SHIPPED_REFUSED,
     not_said=['--resume'])
# a path in $RNN_IMDB_DATA that is wrong: the message says where it came from
FROM_VARIABLE = 'does not exist (give the aclImdb tarball, aclImdb/ folder or movie_data.csv) (this path came ' \
                'from the environment variable RNN_IMDB_DATA: correct it, or unset it to download the data)'
case('sentiment-train-imdb-variable-missing',
     ('sentiment_rnn.py', ['--model-dir', '{w}/new', '--epochs', 1] + SENTIMENT_OPTS), FROM_VARIABLE,
     env={'RNN_IMDB_DATA': '{w}/nothing.tar.gz'})
case('sentiment-train-limit-above-the-data', S_TRAIN, 'is more than the 200 reviews in the data',
     data='{w}/reviews.csv', extra=['--limit', 1000])
case('sentiment-train-limit-below-a-batch', S_TRAIN, 'make less than one batch of 20',
     data='{w}/reviews.csv', extra=['--limit', 30])
case('char-train-over-a-model', C_TRAIN, 'already holds a trained model', data='{w}/text.txt',
     extra=['--model-dir', '{w}/cmodel'])
# a model folder that cannot be made: its parent is a file (files.folder_lock)
case('char-train-model-folder-under-a-file', C_TRAIN, 'text.txt/m (Not a directory): give another --model-dir',
     data='{w}/text.txt', extra=['--model-dir', '{w}/text.txt/m'])

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

case('char-export-into-a-read-only-folder', ('char_rnn.py', ['--export-keras', '{w}/readonly/m.keras',
                                                             '--model-dir', '{w}/cmodel']),
     'cannot write m.keras into ', prepare=lambda w: read_only(os.path.join(w, 'readonly')),
     not_said=['.export-'])


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
        for variant in ('vocab', 'json', 'ckpt', 'nockpt', 'novocab', 'nohparams', 'nomodel', 'nolstm', 'nodata'):
            shutil.copytree(w(kind), w('%s_%s' % (kind, variant)))
        for field in ('vocab', 'hparams', 'model'):
            edit_config(w('%s_no%s' % (kind, field)), lambda config: config.pop(field))
        edit_config(w(kind + '_nolstm'), lambda config: config['hparams'].pop('lstm_size'))
        for name in os.listdir(w(kind + '_nodata')):
            if '.data-' in name:
                os.remove(w('%s_nodata/%s' % (kind, name)))

        def larger_vocabulary(config):
            if kind == 'smodel':  # a vocabulary larger than the checkpoint's embedding
                config['hparams']['n_words'] += 5
                config['vocab']['zzz'] = max(config['vocab'].values()) + 5
            else:  # one character more than the checkpoint's output layer
                config['vocab'] = config['vocab'] + ['~']
        edit_config(w(kind + '_vocab'), larger_vocabulary)
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
    workspace = os.path.join(root, case_id)
    shutil.copytree(base, workspace, symlinks=True)
    return workspace, CASES[case_id].script, [a.replace('{w}', workspace) for a in CASES[case_id].args]


def changes(workspace, before, paths_before):
    """The files changed or removed, and the files and folders added outside the data cache."""
    after, paths_after = snapshot(workspace), paths(workspace)
    changed = sorted(p for p in before if after.get(p) != before[p])
    changed += sorted('removed: ' + p for p in paths_before - paths_after if p not in before)
    changed += sorted(p for p in paths_after - paths_before if not p.startswith('cache'))
    return changed


def run_together(base, root, case_ids):
    """Cases one after the other in one process (tests/cli_worker.py), each inside what its prepare()
    arranges: {case: (its result, changes)}, or (why, None) for a case that could not be arranged."""
    jobs, states, out = [], [], {}
    with contextlib.ExitStack() as arranged:
        for case_id in case_ids:
            workspace, script, args = workspace_of(base, root, case_id)
            try:
                arranged.enter_context((CASES[case_id].prepare or contextlib.nullcontext)(workspace))
            except pytest.skip.Exception as e:
                out[case_id] = (str(e), None)
                continue
            jobs.append((script, args, env_of(case_id, workspace)))
            states.append((case_id, workspace, snapshot(workspace), paths(workspace)))
        for (case_id, *state), r in zip(states, run_clis(jobs) if jobs else []):
            out[case_id] = (r, changes(*state))
    return out


def paths(folder):
    """Every file and folder under folder, relative to it."""
    out = set()
    for dirpath, dirs, files in os.walk(folder):
        out.update(os.path.relpath(os.path.join(dirpath, n), folder) for n in dirs + files)
    return out


def alone(case_id):
    """--export-keras runs in a process of its own: Keras 3 in a process breaks the TF1 graphs."""
    return '--export-keras' in CASES[case_id].args


@pytest.fixture(scope='module')
def workspaces(tmp_path_factory):
    """The assets every case starts from, and the folder of the cases' copies of them."""
    root = str(tmp_path_factory.mktemp('bad_inputs'))
    return HOOKS.made(make_assets, os.path.join(root, 'base')), os.path.join(root, 'cases')


@pytest.fixture(scope='class')
def together(request, workspaces):
    """The results of the class's selected cases, run in one process (importing TensorFlow takes
    seconds) but those alone(); the shipped model unchanged after all its cases."""
    selected = sorted(item.callspec.params['case_id'] for item in request.session.items
                      if item.cls is request.cls and not alone(item.callspec.params['case_id']))
    shipped = snapshot(SHIPPED)
    yield run_together(*workspaces, selected)
    assert snapshot(SHIPPED) == shipped, 'the shipped model changed'


class BadInputsOfACommand:
    """The cases of one command: pytest-xdist gives each class to one worker (pytest.ini: --dist loadscope)."""

    def test_bad_input_one_line_nonzero_and_nothing_changed(self, workspaces, together, case_id):
        r, changed = (together if case_id in together else run_together(*workspaces, [case_id]))[case_id]
        if changed is None:
            pytest.skip(r)
        message = CASES[case_id].message
        assert r.returncode != 0, r.stdout[-2000:]
        assert 'Traceback' not in r.stderr, r.stderr
        last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''
        assert last.startswith('error: ') and message in last, r.stderr[-2000:]
        assert not [words for words in CASES[case_id].not_said if words in last], last
        assert not changed, 'files changed or created: %s' % changed


@pytest.mark.parametrize('case_id', sorted(c for c in CASES if CASES[c].script == 'sentiment_rnn.py'))
class TestSentimentCommand(BadInputsOfACommand):
    pass


@pytest.mark.parametrize('case_id', sorted(c for c in CASES if CASES[c].script == 'char_rnn.py'))
class TestCharCommand(BadInputsOfACommand):
    pass


@pytest.mark.parametrize('args', [['--train', '--data', '{w}/nothing.txt'], ['--export-keras', '{w}/model.h5']],
                         ids=['train', 'export'])
def test_debug_shows_the_traceback(tmp_path, args):
    r = run_cli('char_rnn.py', *[a.format(w=tmp_path) for a in args], '--debug',
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
