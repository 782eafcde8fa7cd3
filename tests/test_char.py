"""The slides' CharRNN: its mini-batches, get_top_char, the vocabulary handed over or saved,
its graph, the fast graph's losses, and `python char_rnn.py` training and sampling."""
import functools
import os
import shutil

import numpy as np
import pytest

import char_rnn
import data_utils
from beyond_slides.model_folder import ModelFolder
from beyond_slides.predicting import CharSampler
from beyond_slides.tf_setup import tf
from char_rnn import CharRNN, create_batch_generator, get_top_char
from conftest import run_cli, run_clis, shared, slides_file
from data_helpers import PERIODIC
from file_helpers import snapshot
from model_helpers import SHIPPED, RecordingSaver, TestConfig, start_from, train_char

SMALL, SMALL_OPTS = TestConfig.char, TestConfig.char_opts


def test_batch_generator_hand_worked():
    x, y = data_utils.reshape_data(np.arange(15), 2, 3)
    batches = [(a.tolist(), b.tolist()) for a, b in create_batch_generator(x, y, 3)]
    assert batches == [([[0, 1, 2], [6, 7, 8]], [[1, 2, 3], [7, 8, 9]]),
                       ([[3, 4, 5], [9, 10, 11]], [[4, 5, 6], [10, 11, 12]])]


def test_get_top_char_keeps_only_top_n():
    np.random.seed(0)
    probas = np.array([[0.1, 0.5, 0.05, 0.35]])
    picks = {get_top_char(probas.copy(), 4, top_n=2) for _ in range(200)}
    assert picks == {1, 3}
    assert {get_top_char(probas.copy(), 4, top_n=1) for _ in range(20)} == {1}


def test_periodic_text_is_continued(tmp_path):
    ckpt = str(tmp_path / 'model')
    train_char(PERIODIC, ckpt, epochs=15)
    with CharSampler(ckpt, CharRNN) as sampler:
        text = sampler.sample(30, 'abc', functools.partial(get_top_char, top_n=1))
    assert text == ('abcde\n' * 10)[:3 + 30 + 1]  # the slides' sample() gives output_length + 1


class Greedy(object):
    """get_top_char as a student may edit it: always the most likely character; counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, probas, char_size):
        self.calls += 1
        return int(np.argmax(probas))


# ---------------------------------------------------------------------------
# The vocabulary: handed to the class (the slides' global chars) or saved with the checkpoint
# ---------------------------------------------------------------------------

UNSORTED = ['\n', 'e', 'a', 'd', 'c', 'b']  # PERIODIC's characters in an order of their own


def train_with_chars(ckpt_dir, chars, epochs=15):
    char2int = {ch: i for i, ch in enumerate(chars)}
    x, y = data_utils.reshape_data(data_utils.encode_text(PERIODIC, char2int), 4, 10)
    rnn = CharRNN(len(chars), **SMALL)
    rnn.chars = chars
    rnn.train(x, y, num_epochs=epochs, ckpt_dir=ckpt_dir)


def test_handed_over_characters_are_saved_and_read_in_their_own_order(tmp_path, monkeypatch):
    ckpt = str(tmp_path / 'model')
    train_with_chars(ckpt, UNSORTED)
    assert ModelFolder(ckpt).load_config('CharRNN')[1] == UNSORTED
    greedy = Greedy()
    monkeypatch.setattr(char_rnn, 'get_top_char', greedy)  # sample() picks with the module's function
    for chars in (UNSORTED, None):  # handed over again, or read from the folder
        sampler = CharRNN(len(UNSORTED), sampling=True, lstm_size=SMALL['lstm_size'])
        sampler.chars = chars
        assert sampler.sample(12, ckpt, starter_seq='ab') == ('abcde\n' * 3)[:2 + 13]
    assert greedy.calls == 2 * 13  # every pick of both samples: the edited function, as it is now


def test_sample_without_any_vocabulary_names_the_line_to_add(tmp_path):
    ckpt = str(tmp_path / 'model')
    train_with_chars(ckpt, UNSORTED, epochs=1)
    os.remove(os.path.join(ckpt, 'model_config.json'))
    sampler = CharRNN(len(UNSORTED), sampling=True, lstm_size=SMALL['lstm_size'])
    with pytest.raises(data_utils.DataError) as e:
        sampler.sample(5, ckpt)
    assert 'add the line `CharRNN.chars = chars`' in str(e.value) and '\n' not in str(e.value)


def test_characters_that_disagree_with_the_saved_ones_stop_sampling(tmp_path):
    ckpt = str(tmp_path / 'model')
    train_with_chars(ckpt, UNSORTED, epochs=1)
    sampler = CharRNN(len(UNSORTED), sampling=True, lstm_size=SMALL['lstm_size'])
    sampler.chars = sorted(UNSORTED)  # the same characters in another order: other ids
    with pytest.raises(data_utils.DataError, match=r'CharRNN.chars = None'):
        sampler.sample(5, ckpt)
    sampler.chars = UNSORTED[:-1]
    with pytest.raises(data_utils.DataError, match='not those saved'):
        sampler.sample(5, ckpt)


def test_training_into_a_folder_of_other_characters_is_refused_and_keeps_it(tmp_path):
    ckpt = str(tmp_path / 'model')
    train_with_chars(ckpt, UNSORTED, epochs=1)
    before = snapshot(ckpt)
    with pytest.raises(data_utils.DataError, match='other characters'):
        train_with_chars(ckpt, sorted(UNSORTED), epochs=1)
    assert snapshot(ckpt) == before


def test_a_vocabulary_of_another_size_than_num_classes_is_refused(tmp_path):
    ckpt = str(tmp_path / 'model')
    train_with_chars(ckpt, UNSORTED, epochs=1)
    sampler = CharRNN(len(UNSORTED), sampling=True, lstm_size=SMALL['lstm_size'])
    sampler.num_classes = 7  # as if made with CharRNN(7, ...)
    with pytest.raises(data_utils.DataError, match='num_classes=7'):
        sampler.sample(5, ckpt)


def test_training_shapes_and_the_names_the_slides_feed_and_fetch():
    rnn = CharRNN(65, batch_size=64, num_steps=100)
    x = np.random.RandomState(0).randint(0, 65, size=(64, 100))
    with tf.Session(graph=rnn.g) as sess:
        sess.run(rnn.init_op)
        proba, cost, _ = sess.run(['probabilities:0', 'cost:0', 'train_op'],
                                  {'tf_x:0': x, 'tf_y:0': x, 'tf_keepprob:0': 1.0})
    assert proba.shape == (6400, 65) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert cost == pytest.approx(np.log(65), abs=0.1)  # an untrained model: about uniform
    sampler = CharRNN(65, sampling=True)
    assert sampler.g.get_tensor_by_name('probabilities:0').shape.as_list() == [1, 65]


@pytest.mark.parametrize('num_steps, num_layers', [(10, 1), (13, 2)])
def test_slides_graph_and_fast_graph_compute_the_same_losses(num_steps, num_layers):
    """Same math: the same initial weights, the same 5 batches, dropout off, losses within 1e-5 relative."""
    chars, char2int, _ = data_utils.char_vocab(PERIODIC)
    x, y = data_utils.reshape_data(data_utils.encode_text(PERIODIC, char2int), 4, num_steps)
    losses = losses_of_both_graphs(len(chars), x, y, 5, **dict(SMALL, num_steps=num_steps, num_layers=num_layers))
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
    assert losses[0][-1] < losses[0][0]


def losses_of_both_graphs(num_classes, x, y, n_batches, **hparams):
    """[the slides' graph's losses, the fast graph's] over the first n_batches mini-batches of
    (x, y), both from the slides' graph's initial weights, dropout off."""
    losses, weights = [], None
    for fast in (False, True):
        rnn = CharRNN(num_classes, fast=fast, **hparams)
        with tf.Session(graph=rnn.g) as sess:
            sess.run(rnn.init_op)
            weights = start_from(rnn.g, sess, weights)
            state = sess.run(rnn.initial_state)
            out = []
            for (bx, by), _ in zip(create_batch_generator(x, y, hparams['num_steps']), range(n_batches)):
                loss, _, state = sess.run(['cost:0', 'train_op', rnn.final_state],
                                          {'tf_x:0': bx, 'tf_y:0': by, 'tf_keepprob:0': 1.0,
                                           rnn.initial_state: state})
                out.append(loss)
        losses.append(out)
    return losses


# ---------------------------------------------------------------------------
# The command line and the shipped model
# ---------------------------------------------------------------------------

@pytest.fixture(scope=shared)
def cli_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp('char')
    text = folder / 'text.txt'
    text.write_text(PERIODIC, encoding='utf-8')
    model_dir = str(folder / 'model')
    r = run_cli('char_rnn.py', '--train', '--data', text, '--epochs', 3, '--model-dir', model_dir,
                *SMALL_OPTS)
    assert r.returncode == 0, r.stderr
    assert 'Epoch 3/3 Iteration' in r.stdout
    return str(text), model_dir


def test_cli_sampling_same_seed_same_text(cli_model):
    _, model_dir = cli_model
    runs = run_clis([('char_rnn.py', ['--model-dir', model_dir, '--sample', 40, '--seed', 7, '--prime', 'ab'])
                     for _ in range(2)])
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stdout.startswith('ab') and len(runs[0].stdout) == 2 + 40 + 1


def test_training_from_python_continues_a_saved_model_only_when_asked(cli_model):
    """char_command.train(), called from Python as the command calls it, but without resume=True:
    the folder's trained model is refused, not continued (nor overwritten)."""
    from beyond_slides import char_command
    text, model_dir = cli_model
    with open(os.path.join(model_dir, 'checkpoint'), encoding='utf-8') as f:
        before = f.read()
    with pytest.raises(data_utils.DataError, match='already holds a trained model'):
        char_command.train(model_dir, SMALL, 4, data=text)
    with open(os.path.join(model_dir, 'checkpoint'), encoding='utf-8') as f:
        assert f.read() == before


def test_cli_sampling_refuses_what_the_model_cannot_do(cli_model):
    _, model_dir = cli_model
    every, too_many, other = run_clis([
        ('char_rnn.py', ['--model-dir', model_dir, '--sample', 10, '--prime', 'ab', '--top-n', 6]),
        ('char_rnn.py', ['--model-dir', model_dir, '--sample', 10, '--prime', 'ab', '--top-n', 7]),
        ('char_rnn.py', ['--model-dir', model_dir, '--sample', 10, '--prime', 'ab', '--lstm-size', 99])])
    assert every.returncode == 0 and len(every.stdout) == 2 + 10 + 1  # all 6 characters may be drawn
    assert too_many.returncode == 2 and too_many.stderr.strip().splitlines()[-1] == \
        'error: --top-n 7 is more than the 6 characters the model knows'
    assert other.returncode == 2 and other.stderr.strip().splitlines()[-1] == (
        'error: the model in %s was trained with other settings: --lstm-size 99 (saved: 32); leave those '
        'out or give another --model-dir' % model_dir)


def test_cli_trains_on_a_text_of_exactly_one_batch(tmp_path):
    """4 sequences of 10 characters, and 1 more for the last target: 41 characters, not 40."""
    (tmp_path / '41.txt').write_text(PERIODIC[:41], encoding='utf-8')
    (tmp_path / '40.txt').write_text(PERIODIC[:40], encoding='utf-8')
    one, none = run_clis([('char_rnn.py', ['--train', '--data', tmp_path / name, '--epochs', 1, '--model-dir',
                                           tmp_path / ('m' + name)] + SMALL_OPTS) for name in ('41.txt', '40.txt')])
    assert one.returncode == 0, one.stderr
    assert one.stdout.startswith('(4, 10)\n') and 'Trained epochs 1-1 in ' in one.stdout
    assert none.returncode == 2 and none.stderr.strip().splitlines()[-1] == (
        'error: the text has 40 characters, too short for one batch of 4 x 10 (+1): lower --batch-size or '
        '--num-steps')


def test_cli_resume_continues(cli_model, tmp_path):
    text, model_dir = cli_model
    copy = str(tmp_path / 'copy')
    shutil.copytree(model_dir, copy)
    r = run_cli('char_rnn.py', '--train', '--resume', '--data', text, '--epochs', 4, '--model-dir', copy)
    assert r.returncode == 0, r.stderr
    assert 'Epoch 4/4' in r.stdout and 'Epoch 3/4' not in r.stdout
    hparams, _ = ModelFolder(copy).load_config('CharRNN')
    assert hparams['epochs'] == 4


def test_shipped_model_samples_500_known_characters():
    r = run_cli('char_rnn.py', '--sample', 500, '--seed', 1)
    assert r.returncode == 0, r.stderr
    _, chars = ModelFolder(SHIPPED).load_config('CharRNN')
    text = r.stdout[:-1]  # print() adds one newline
    assert len(text) == len('The ') + 500
    assert text.startswith('The ') and set(text) <= set(chars)


def test_shipped_model_folder_copied_elsewhere_still_samples(tmp_path):
    copy = str(tmp_path / 'somewhere' / 'char_rnn')
    shutil.copytree(SHIPPED, copy)
    moved, shipped = run_clis([('char_rnn.py', ['--model-dir', copy, '--sample', 50, '--seed', 3]),
                               ('char_rnn.py', ['--sample', 50, '--seed', 3])], cwd=str(tmp_path))
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout == shipped.stdout


def test_train_runs_offline_on_the_shipped_hamlet(tmp_path):
    """An empty data cache and no network (every download would fail): the shipped pg2265.txt."""
    cache = tmp_path / 'empty-cache'
    cache.mkdir()
    model_dir = str(tmp_path / 'x')
    r = run_cli('char_rnn.py', '--train', '--epochs', 1, '--model-dir', model_dir,
                env={'RNN_DATA_DIR': str(cache), 'http_proxy': 'http://127.0.0.1:9',
                     'https_proxy': 'http://127.0.0.1:9', 'no_proxy': ''})
    assert r.returncode == 0, r.stderr
    assert '(64, 2500)' in r.stdout  # the whole play in the slides' batches of 64 x 100
    assert os.listdir(str(cache)) in ([], ['keras'])
    assert len(ModelFolder(model_dir).load_config('CharRNN')[1]) == 65


def test_train_saves_after_every_epoch_as_the_slides_do(tmp_path):
    chars, char2int, _ = data_utils.char_vocab(PERIODIC)
    x, y = data_utils.reshape_data(data_utils.encode_text(PERIODIC, char2int), 4, 10)
    rnn = CharRNN(len(chars), **SMALL)
    rnn.saver = RecordingSaver(rnn.saver)
    ckpt_dir = str(tmp_path / 'model')
    rnn.train(x, y, num_epochs=3, ckpt_dir=ckpt_dir)
    assert rnn.saver.saved == [os.path.join(ckpt_dir, 'language_modeling.ckpt')] * 3


def test_build_prints_the_slides_tensors(capsys):
    """The slide "Creating and Training the CharRNN Model" prints these two lines; today's
    tf.nn.dynamic_rnn names its output transpose_1 (docs/slides.md says why)."""
    with open(slides_file('rnn-lecture-slides.md'), encoding='utf-8') as f:
        slide = [line.strip() for line in f if line.strip().startswith(('<< lstm_outputs >>', 'Tensor("prob'))]
    assert slide == ['<< lstm_outputs >> Tensor("rnn/transpose:0", shape=(64, 100, 128), dtype=float32)',
                     'Tensor("probabilities:0", shape=(6400, 65), dtype=float32)']
    want = [' '.join(line.replace('rnn/transpose:0', 'rnn/transpose_1:0').split()) for line in slide]
    for fast in (False, True):
        CharRNN(65, batch_size=64, num_steps=100, fast=fast)
        printed = [' '.join(line.split()) for line in capsys.readouterr().out.splitlines() if line.strip()]
        assert printed == want, fast


@pytest.mark.parametrize('edit', ['LSTMCell', 'GRUCell', 'input_keep_prob'])
def test_a_student_edit_to_another_cell_trains_as_tf_nn_dynamic_rnn(edit, monkeypatch, capsys):
    """CharRNN.build edited to another cell: fast=True falls back to tf.nn.dynamic_rnn, with a
    note, and trains to the same losses as fast=False."""
    cells = tf.nn.rnn_cell
    if edit == 'input_keep_prob':  # inputs dropped too, with the same keep probability (fed 1.0 here)
        wrapper = cells.DropoutWrapper
        monkeypatch.setattr(cells, 'DropoutWrapper', lambda cell, output_keep_prob: wrapper(
            cell, input_keep_prob=output_keep_prob, output_keep_prob=output_keep_prob))
    else:
        monkeypatch.setattr(cells, 'BasicLSTMCell', getattr(cells, edit))
    chars, char2int, _ = data_utils.char_vocab(PERIODIC)
    x, y = data_utils.reshape_data(data_utils.encode_text(PERIODIC, char2int), 4, 10)
    losses = losses_of_both_graphs(len(chars), x, y, 4, **SMALL)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-6)
    assert losses[0][-1] < losses[0][0]
    assert capsys.readouterr().err.count('note:') == 1
