"""Behaviour a student meets over a whole command or a second call: what the commands default
to, what an option does end to end, the LSTM state carried or not, stopping and resuming at
the edges, and the data files."""
import contextlib
import csv
import hashlib
import io
import os
import signal

import numpy as np
import pytest

import data_utils
from beyond_slides import datasets, model_files
from beyond_slides.errors import DataError, TrainingStopped
from beyond_slides.tf_setup import tf
from beyond_slides.training import StopPoint, TrainingLog, load_stop_point
from char_rnn import CharRNN
from conftest import (PERIODIC, SHIPPED, TestConfig, make_imdb_tarball, module_scope_unless_mutating, prepared,
                      run_cli, run_clis, snapshot, synthetic_reviews, train_small)
from sentiment_rnn import SentimentRNN

CHAR_SMALL, SENTIMENT_SMALL = TestConfig.char, TestConfig.sentiment


# ---------------------------------------------------------------------------
# What the commands default to: the slides' instantiation (book_ch16.py's driver code)
# ---------------------------------------------------------------------------

class Built(Exception):
    """Raised by a recording model's train(): the command built it and would train it now."""


def recording(model_class, seen):
    class Recording(model_class):
        def __init__(self, *args, **kwargs):
            seen['args'], seen['kwargs'] = args, kwargs
            with contextlib.redirect_stdout(io.StringIO()):
                super().__init__(*args, **kwargs)

        def train(self, *args, **kwargs):
            seen['num_epochs'] = kwargs['num_epochs']
            seen['model'] = self
            raise Built()
    return Recording


def test_the_sentiment_command_defaults_to_the_slides_settings(tmp_path, monkeypatch):
    import sentiment_rnn
    from beyond_slides import sentiment_cli
    seen = {}
    monkeypatch.setattr(sentiment_rnn, 'SentimentRNN', recording(SentimentRNN, seen))
    synthetic_reviews(400).to_csv(str(tmp_path / 'reviews.csv'), index=False)
    with pytest.raises(Built):
        run_command_main(sentiment_cli, ['--data', str(tmp_path / 'reviews.csv'), '--model-dir', str(tmp_path / 'm')])
    # rnn = SentimentRNN(n_words=n_words, seq_len=sequence_length, embed_size=256, lstm_size=128,
    #                    num_layers=1, batch_size=100, learning_rate=0.001); rnn.train(..., num_epochs=40)
    model = seen['model']
    assert (model.seq_len, model.embed_size, model.lstm_size, model.num_layers, model.batch_size,
            model.learning_rate) == (200, 256, 128, 1, 100, 0.001)
    assert seen['num_epochs'] == 40


def run_command_main(command, argv):
    """The command's main with argv, its errors not turned into exit codes."""
    args, given = command.cli.parse_args(command.build_parser(), argv, command.HPARAMS)
    return command._main(args, given)


def test_the_char_command_defaults_to_the_slides_settings(tmp_path, monkeypatch):
    import char_rnn
    from beyond_slides import char_cli
    seen = {}
    monkeypatch.setattr(char_rnn, 'CharRNN', recording(CharRNN, seen))
    with pytest.raises(Built):
        run_command_main(char_cli, ['--train', '--model-dir', str(tmp_path / 'm')])
    # rnn = CharRNN(num_classes=len(chars), batch_size=64) with the constructor's defaults
    # (num_steps=100, lstm_size=128, num_layers=1, learning_rate=0.001, keep_prob=0.5,
    # grad_clip=5); rnn.train(train_x, train_y, num_epochs=100, ...)
    model = seen['model']
    assert (model.num_classes, model.batch_size, model.num_steps, model.lstm_size, model.num_layers,
            model.learning_rate, model.keep_prob, model.grad_clip) == (65, 64, 100, 128, 1, 0.001, 0.5, 5)
    assert seen['num_epochs'] == 100


def test_help_shows_each_default_but_none_and_off_switches():
    from beyond_slides import char_cli
    text = ' '.join(char_cli.build_parser().format_help().split())
    assert '--sample N characters to sample after the prime (default: 500)' in text
    assert '--prime PRIME starter sequence the sample continues (default: The )' in text
    assert '--seed SEED random seed: the same seed gives the same text --model-dir' in text
    assert '--train train a model instead of sampling --data' in text
    assert 'hidden units per LSTM layer (default: 128)' in text and '(default: None)' not in text
    assert text.startswith('usage: python char_rnn.py [-h]')
    assert ("[--debug] Print text sampled from the slides' CharRNN (the model shipped in models/char_rnn/), or "
            "(--train) train it on Hamlet. options:") in text
    assert '--batch-size BATCH_SIZE sequences per mini-batch (default: 64)' in text


def test_the_sentiment_help_says_what_the_command_does():
    from beyond_slides import sentiment_cli
    text = ' '.join(sentiment_cli.build_parser().format_help().split())
    assert text.startswith('usage: python sentiment_rnn.py [-h]')
    assert ("[--debug] Train the slides' SentimentRNN on IMDb reviews and report test accuracy, or (--predict) "
            "rate reviews with a saved model. options:") in text
    assert '--batch-size BATCH_SIZE reviews per mini-batch (default: 100)' in text


@pytest.mark.parametrize('script, model', [('sentiment_rnn.py', 'SentimentRNN'), ('char_rnn.py', 'CharRNN')])
def test_each_command_exports_its_own_model(tmp_path, monkeypatch, script, model):
    from beyond_slides import char_cli, keras_export, sentiment_cli
    calls = []
    monkeypatch.setattr(keras_export, 'export', lambda *a: calls.append(a))
    command = char_cli if script == 'char_rnn.py' else sentiment_cli
    with contextlib.redirect_stdout(io.StringIO()):
        status = command.main(['--export-keras', str(tmp_path / 'x.keras'), '--model-dir', str(tmp_path)])
    assert status == 0 and calls == [(model, str(tmp_path), str(tmp_path / 'x.keras'))]


def test_a_new_run_records_0_epochs_before_it_trains(tmp_path, capsys):
    """A run that stops before its first checkpoint resumes from the start."""
    import argparse
    from beyond_slides.settings import CHAR_HPARAMS
    from beyond_slides.training_run import TrainingRun
    args = argparse.Namespace(model_dir=str(tmp_path / 'm'), resume=False, epochs=3, logdir=None, **CHAR_HPARAMS)
    with TrainingRun(args, {}, 'CharRNN', CHAR_HPARAMS) as run:
        run.begin(['a', 'b'], n_batches=5)
    hparams, chars = model_files.load_model_config(str(tmp_path / 'm'), 'CharRNN')
    assert hparams == dict(CHAR_HPARAMS, epochs=0) and chars == ['a', 'b']


def test_export_keras_hands_the_model_folder_and_path_over(monkeypatch, capsys):
    import argparse
    from beyond_slides import cli, keras_export
    calls = []
    monkeypatch.setattr(keras_export, 'export', lambda *a: calls.append(a))
    args = argparse.Namespace(model_dir='models/x', export_keras='/tmp/out.keras')
    assert cli.export_keras('CharRNN', args) == 0
    assert calls == [('CharRNN', 'models/x', '/tmp/out.keras')]
    assert capsys.readouterr().out == 'wrote /tmp/out.keras (Keras 3) and /tmp/out.keras.vocab.json\n'


@pytest.mark.parametrize('debug', [False, True])
def test_export_keras_errors_are_one_line_and_debug_adds_the_traceback(monkeypatch, capsys, debug):
    from beyond_slides import char_cli, keras_export

    def export(*args):
        raise DataError('no checkpoint in models/x')
    monkeypatch.setattr(keras_export, 'export', export)
    status = char_cli.main(['--export-keras', '/tmp/out.keras', '--model-dir', 'models/x'] + ['--debug'] * debug)
    err = capsys.readouterr().err
    assert status == 2 and err.endswith('error: no checkpoint in models/x\n')
    assert err.startswith('Traceback') == debug and (err.count('\n') > 1) == debug


class FakeSaver(object):
    last_checkpoints = ['a.ckpt']

    def save(self, sess, path, global_step=None):
        return '%s-%s' % (path, global_step)


def test_the_wrapped_saver_tells_each_save_and_is_the_saver_otherwise():
    from beyond_slides.training import SaverThatTells
    told = []
    saver = SaverThatTells(FakeSaver(), lambda: told.append('saved'))
    assert saver.save(None, 'm/x.ckpt', global_step=3) == 'm/x.ckpt-3' and told == ['saved']
    assert saver.last_checkpoints == ['a.ckpt']
    with pytest.raises(AttributeError):
        saver.restore


def test_the_log_gives_the_model_its_own_saver_back_and_closing_again_does_nothing(tmp_path):
    """stop() closes the log and the `with` closes it again; a log never opened changes nothing."""
    import types
    from beyond_slides.training import SaverThatTells
    own = FakeSaver()
    model = types.SimpleNamespace(saver=own)
    TrainingLog(model, str(tmp_path), 'm', n_batches=2, num_epochs=1).close()
    assert model.saver is own
    handler = signal.getsignal(signal.SIGINT)
    log = TrainingLog(model, str(tmp_path), 'm', n_batches=2, num_epochs=1)
    with log:
        assert isinstance(model.saver, SaverThatTells) and signal.getsignal(signal.SIGINT) != handler
        log.close()
        assert model.saver is own and signal.getsignal(signal.SIGINT) == handler
    assert model.saver is own and signal.getsignal(signal.SIGINT) == handler


# ---------------------------------------------------------------------------
# What the sampling options do, end to end (the shipped model)
# ---------------------------------------------------------------------------

@pytest.fixture(scope=module_scope_unless_mutating)
def samples():
    runs = run_clis([('char_rnn.py', ['--sample', 120, '--seed', seed] + extra) for seed, extra in (
        (1, []), (2, []), (1, ['--temperature', 0.001]), (2, ['--top-n', 1]), (3, ['--top-n', 1]))])
    for r in runs:
        assert r.returncode == 0, r.stderr
    return [r.stdout for r in runs]


def test_two_seeds_give_two_texts_and_one_seed_one(samples):
    seed1, seed2 = samples[:2]
    assert seed1 != seed2
    assert run_cli('char_rnn.py', '--sample', 120, '--seed', 1).stdout == seed1


def test_top_n_1_is_greedy_whatever_the_seed(samples):
    assert samples[3] == samples[4]
    greedy = greedy_text(SHIPPED, 'The ', 120)  # --sample N: N characters after the prime
    assert samples[3] == greedy + '\n'


def test_a_tiny_temperature_samples_the_greedy_text(samples):
    assert samples[2] == samples[3] != samples[0]


def greedy_text(model_dir, prime, n, probabilities=None):
    """The most likely character after each, n times, computed here step by step with dropout off
    (keep probability 1); probabilities: a list that gets the probabilities after the prime."""
    hparams, chars = model_files.load_model_config(model_dir, 'CharRNN')
    char2int = {ch: i for i, ch in enumerate(chars)}
    with contextlib.redirect_stdout(io.StringIO()):
        rnn = CharRNN(len(chars), sampling=True, lstm_size=hparams['lstm_size'], num_layers=hparams['num_layers'])
    text = prime
    with tf.Session(graph=rnn.g) as sess:
        rnn.saver.restore(sess, tf.train.latest_checkpoint(model_dir))
        state = sess.run(rnn.initial_state)
        ch = None
        for ch in prime:
            proba, state = sess.run(['probabilities:0', rnn.final_state],
                                    {'tf_x:0': [[char2int[ch]]], 'tf_keepprob:0': 1.0, rnn.initial_state: state})
        if probabilities is not None:
            probabilities.append(proba[0])
        for _ in range(n):
            ch = chars[int(np.argmax(proba))]
            text += ch
            proba, state = sess.run(['probabilities:0', rnn.final_state],
                                    {'tf_x:0': [[char2int[ch]]], 'tf_keepprob:0': 1.0, rnn.initial_state: state})
    return text


# ---------------------------------------------------------------------------
# The LSTM state: carried in training and in the slides' predict(), not across --predict's batches
# ---------------------------------------------------------------------------

@pytest.fixture
def states_fed(monkeypatch):
    """For every Session.run that feeds the initial state: (the state fed, the final state returned)."""
    calls = []
    real_run = tf.Session.run

    def run(self, fetches, feed_dict=None, **kwargs):
        out = real_run(self, fetches, feed_dict=feed_dict, **kwargs)
        fed = [v for k, v in (feed_dict or {}).items() if not isinstance(k, str)]
        if fed and isinstance(fetches, list) and len(fetches) >= 2:
            calls.append((tf.nest.flatten(fed), tf.nest.flatten(out[-1])))
        return out
    monkeypatch.setattr(tf.Session, 'run', run)
    return calls


def assert_carried(calls):
    assert len(calls) >= 3
    assert all(not np.any(a) for a in calls[0][0])  # the zero state first
    for (_, out), (fed, _) in zip(calls, calls[1:]):
        for a, b in zip(out, fed):
            np.testing.assert_array_equal(a, b)
        assert any(np.any(a) for a in fed)


def test_char_rnn_carries_the_state_from_batch_to_batch_in_training(tmp_path, states_fed):
    train_small(PERIODIC, str(tmp_path / 'm'), epochs=1)  # 1,200 characters: 29 mini-batches of 4 x 10
    assert_carried(states_fed)


def test_sentiment_predict_carries_the_state_from_batch_to_batch(tmp_path, states_fed):
    word_to_int, (X_train, y_train, X_test, _) = prepared(200)
    rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1, model_dir=str(tmp_path), **SENTIMENT_SMALL)
    rnn.train(X_train, y_train, num_epochs=1)
    del states_fed[:]
    rnn.predict(X_test)  # 100 reviews: 5 batches of 20
    assert len(states_fed) == 5
    assert_carried(states_fed)


def test_predict_answers_each_text_as_if_alone(tmp_path):
    """batch size + 1 texts: the last, in a second batch, gets the answer it gets alone."""
    synthetic_reviews(200).to_csv(str(tmp_path / 'reviews.csv'), index=False)
    model_dir = str(tmp_path / 'model')
    texts = ['great plot %d' % i if i % 2 else 'awful cast' for i in range(20)] + ['the plot was great']
    train, together, alone, other = run_clis([
        ('sentiment_rnn.py', ['--data', tmp_path / 'reviews.csv', '--epochs', 2, '--model-dir', model_dir]
         + TestConfig.sentiment_opts),
        ('sentiment_rnn.py', ['--predict'] + texts + ['--model-dir', model_dir]),
        ('sentiment_rnn.py', ['--predict', texts[-1], '--model-dir', model_dir]),
        ('sentiment_rnn.py', ['--predict', texts[-1], '--model-dir', model_dir, '--lstm-size', 99])])
    assert train.returncode == together.returncode == alone.returncode == 0, train.stderr + together.stderr
    assert together.stdout.splitlines()[-1] == alone.stdout.splitlines()[-1]
    lines = together.stdout.splitlines()
    assert len(lines) == 21
    # each line: the probability of a positive review, its reading, the text
    probas = [float(line.split('  ')[0]) for line in lines]
    assert lines == ['%.3f  %s  %s' % (p, 'positive' if p >= 0.5 else 'negative', text)
                     for p, text in zip(probas, texts)]
    assert any(0 < p < 1 for p in probas)  # probabilities, not the 0/1 labels
    assert other.returncode == 2 and other.stderr.strip().splitlines()[-1] == (
        'error: the model in %s was trained with other settings: --lstm-size 99 (saved: 16); drop those '
        'options or give another --model-dir' % model_dir)


# ---------------------------------------------------------------------------
# Stopping and resuming, at the edges
# ---------------------------------------------------------------------------

class SignalAt(TrainingLog):
    """A TrainingLog that sends this process `signum` as mini-batch `iteration` ends (twice: twice)."""

    def __init__(self, *args, signal_at=None, times=1, **kwargs):
        super().__init__(*args, progress=False, **kwargs)
        self.signal_at, self.times = signal_at, times

    def after_batch(self, sess, epoch, iteration, loss, state):
        if iteration == self.signal_at:
            for _ in range(self.times):
                os.kill(os.getpid(), signal.SIGINT)
        super().after_batch(sess, epoch, iteration, loss, state)


def sentiment_run(model_dir, epochs, signal_at=None, times=1, resume=0):
    word_to_int, (X_train, y_train, _, _) = prepared(200)  # 5 mini-batches of 20 an epoch
    os.makedirs(model_dir, exist_ok=True)
    with contextlib.redirect_stdout(io.StringIO()):
        rnn = SentimentRNN(n_words=max(word_to_int.values()) + 1, model_dir=model_dir, **SENTIMENT_SMALL)
    with SignalAt(rnn, model_dir, 'sentiment', 5, epochs, signal_at=signal_at, times=times, resume=resume) as log:
        rnn.train(X_train, y_train, num_epochs=epochs, log=log)
    return rnn, log


def history_rows(model_dir):
    with open(os.path.join(model_dir, 'loss_history.csv'), newline='') as f:
        return [(int(e), int(i), float(l)) for e, i, l in list(csv.reader(f))[1:]]


def test_a_stop_in_the_last_epoch_keeps_that_epochs_running_loss(tmp_path):
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped) as stopped:
        sentiment_run(model_dir, epochs=3, signal_at=13)  # epoch 3, its 3rd mini-batch
    assert str(stopped.value) == ('stopped by SIGINT at epoch 3 after 3 mini-batch(es); the model and the '
                                  'optimizer state are saved in %s' % model_dir)
    assert (stopped.value.signum, stopped.value.exit_code) == (signal.SIGINT, 130)
    # the slides' SentimentRNN saves every 10th epoch: the stop's checkpoint is the only one
    assert sorted(os.listdir(model_dir)) == ['checkpoint', 'loss_history.csv',
                                             'sentiment-stopped-13.ckpt.data-00000-of-00001',
                                             'sentiment-stopped-13.ckpt.index', 'sentiment-stopped-13.ckpt.meta',
                                             'stopped_at.npz']
    point = load_stop_point(model_dir)
    third = [loss for epoch, _, loss in history_rows(model_dir) if epoch == 3]
    assert (point.epoch, point.batch, point.n_losses) == (2, 3, 3) and len(third) == 3
    assert point.loss_sum == pytest.approx(sum(third), rel=1e-6)
    _, log = sentiment_run(model_dir, epochs=3, resume=point)
    third = [loss for epoch, _, loss in history_rows(model_dir) if epoch == 3]
    assert len(third) == 5 and log.epoch_loss(3) == pytest.approx(sum(third) / 5, rel=1e-6)


@pytest.mark.parametrize('script, prefix', [('sentiment_rnn.py', 'sentiment'), ('char_rnn.py', 'language_modeling')])
def test_a_command_stopped_saves_its_checkpoint_under_the_models_name(tmp_path, monkeypatch, script, prefix):
    import functools
    from beyond_slides import char_cli, sentiment_cli, training_run
    monkeypatch.setattr(training_run, 'TrainingLog', functools.partial(SignalAt, signal_at=3))
    data = str(tmp_path / ('text.txt' if script == 'char_rnn.py' else 'reviews.csv'))
    if script == 'char_rnn.py':
        command, opts = char_cli, ['--train'] + TestConfig.char_opts
        with open(data, 'w', encoding='utf-8') as f:
            f.write(PERIODIC)
    else:
        command, opts = sentiment_cli, TestConfig.sentiment_opts
        synthetic_reviews(200).to_csv(data, index=False)
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped), contextlib.redirect_stdout(io.StringIO()):
        run_command_main(command, [str(a) for a in ['--data', data, '--epochs', 2, '--model-dir', model_dir] + opts])
    assert load_stop_point(model_dir).checkpoint == '%s-stopped-3.ckpt' % prefix


def test_each_epochs_progress_bar_counts_the_mini_batches_it_runs(tmp_path, capsys):
    import sys
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped):
        sentiment_run(model_dir, epochs=3, signal_at=13)  # epoch 3 after 3 of its 5 mini-batches
    rnn, _ = sentiment_run(str(tmp_path / 'scratch'), epochs=1)  # a model to resume with
    word_to_int, (X_train, y_train, _, _) = prepared(200)
    capsys.readouterr()
    with TrainingLog(rnn, model_dir, 'sentiment', 5, 3, resume=load_stop_point(model_dir)) as log:
        rnn.train(X_train, y_train, num_epochs=3, log=log)
    assert (log.bar.title, log.bar.max_iter, log.bar.cnt, log.bar.stream) == ('Epoch 3/3', 2, 2, sys.stderr)
    assert 'Epoch 3/3' not in capsys.readouterr().out
    os.makedirs(str(tmp_path / 'one'))
    with TrainingLog(rnn, str(tmp_path / 'one'), 'sentiment', 1, 1) as log:  # one mini-batch an epoch
        rnn.train(X_train[:20], y_train[:20], num_epochs=1, log=log)
    assert (log.bar.title, log.bar.max_iter, log.bar.cnt) == ('Epoch 1/1', 1, 1)


def test_a_second_ctrl_c_quits_at_once(tmp_path):
    model_dir = str(tmp_path / 'm')
    with pytest.raises(KeyboardInterrupt):
        sentiment_run(model_dir, epochs=2, signal_at=2, times=2)
    assert not os.path.exists(os.path.join(model_dir, 'stopped_at.npz'))  # nothing saved


def test_a_stop_point_older_than_the_latest_checkpoint_is_not_used(tmp_path):
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped):
        sentiment_run(model_dir, epochs=2, signal_at=3)
    point = load_stop_point(model_dir)
    assert point is not None
    with open(os.path.join(model_dir, 'checkpoint'), 'w') as f:  # as if a later run saved sentiment-1
        f.write('model_checkpoint_path: "sentiment-1.ckpt"\nall_model_checkpoint_paths: "sentiment-1.ckpt"\n')
    for suffix in ('.index', '.data-00000-of-00001', '.meta'):
        src = os.path.join(model_dir, point.checkpoint + suffix)
        with open(src, 'rb') as a, open(os.path.join(model_dir, 'sentiment-1.ckpt' + suffix), 'wb') as b:
            b.write(a.read())
    assert load_stop_point(model_dir) is None


def test_stop_writes_the_stop_point_before_the_checkpoint(tmp_path, monkeypatch):
    """A run killed between the two leaves the latest checkpoint as it was: the stop point,
    naming a checkpoint that is not the latest, is then ignored."""
    order = []
    real_save = StopPoint.save
    monkeypatch.setattr(StopPoint, 'save', lambda self, d: (order.append('stop point'), real_save(self, d)))
    real_saver_save = tf.train.Saver.save
    monkeypatch.setattr(tf.train.Saver, 'save', lambda self, sess, path, *a, **k: (
        order.append(os.path.basename(path)), real_saver_save(self, sess, path, *a, **k))[1])
    with pytest.raises(TrainingStopped):
        sentiment_run(str(tmp_path / 'm'), epochs=1, signal_at=2)
    assert order == ['stop point', 'sentiment-stopped-2.ckpt']


@pytest.mark.parametrize('script', ['sentiment_rnn.py', 'char_rnn.py'])
def test_resume_with_the_epochs_already_trained_says_so(tmp_path, script):
    model_dir = str(tmp_path / 'm')
    if script == 'char_rnn.py':
        (tmp_path / 'text.txt').write_text(PERIODIC, encoding='utf-8')
        common = ['--train', '--data', tmp_path / 'text.txt', '--model-dir', model_dir]
        opts = TestConfig.char_opts
    else:
        synthetic_reviews(200).to_csv(str(tmp_path / 'reviews.csv'), index=False)
        common = ['--data', tmp_path / 'reviews.csv', '--model-dir', model_dir]
        opts = TestConfig.sentiment_opts
    first, again, other = run_clis([(script, common + ['--epochs', 2] + opts),
                                    (script, common + ['--resume', '--epochs', 2]),
                                    (script, common + ['--resume', '--epochs', 3, '--lstm-size', 99])])
    assert first.returncode == 0, first.stderr
    assert again.returncode == 2
    assert 'has already trained 2 epochs: give --epochs above that' in again.stderr.strip().splitlines()[-1]
    assert other.returncode == 2 and other.stderr.strip().splitlines()[-1] == (
        'error: the model in %s was trained with other settings: --lstm-size 99 (saved: %d); drop those options '
        'or give another --model-dir' % (model_dir, opts[opts.index('--lstm-size') + 1]))


def test_char_resume_of_a_model_without_an_epoch_count_is_refused(tmp_path):
    """A CharRNN trained from Python (the book's way) saves its vocabulary but no epoch count:
    --resume must not start again from epoch 1 over its checkpoint."""
    model_dir = str(tmp_path / 'm')
    chars, char2int, _ = data_utils.char_vocab(PERIODIC)
    x, y = data_utils.reshape_data(data_utils.encode_text(PERIODIC, char2int), 4, 10)
    with contextlib.redirect_stdout(io.StringIO()):
        rnn = CharRNN(len(chars), **CHAR_SMALL)
    rnn.chars = chars
    rnn.train(x, y, num_epochs=1, ckpt_dir=model_dir)
    (tmp_path / 'text.txt').write_text(PERIODIC, encoding='utf-8')
    before = snapshot(model_dir)
    r = run_cli('char_rnn.py', '--train', '--resume', '--data', tmp_path / 'text.txt', '--epochs', 3,
                '--model-dir', model_dir)
    assert r.returncode == 2
    assert 'does not record how many epochs it trained' in r.stderr.strip().splitlines()[-1]
    assert snapshot(model_dir) == before


def test_an_error_after_the_restore_is_not_called_a_checkpoint_error(tmp_path, monkeypatch):
    """--resume maps TensorFlow's errors to "cannot load the checkpoint" only around the restore."""
    from beyond_slides import sentiment_cli
    synthetic_reviews(200).to_csv(str(tmp_path / 'reviews.csv'), index=False)
    argv = ['--data', str(tmp_path / 'reviews.csv'), '--model-dir', str(tmp_path / 'm')] + [
        str(a) for a in TestConfig.sentiment_opts]
    with contextlib.redirect_stdout(io.StringIO()):
        assert sentiment_cli.main(argv + ['--epochs', '1']) == 0
    real_run = tf.Session.run

    def run(self, fetches, feed_dict=None, **kwargs):
        if isinstance(fetches, list) and 'train_op' in fetches:
            raise tf.errors.InvalidArgumentError(None, None, 'a bad batch')
        return real_run(self, fetches, feed_dict=feed_dict, **kwargs)
    monkeypatch.setattr(tf.Session, 'run', run)
    with pytest.raises(tf.errors.InvalidArgumentError, match='a bad batch'), \
            contextlib.redirect_stdout(io.StringIO()):
        run_command_main(sentiment_cli, argv + ['--epochs', '2', '--resume'])


def test_a_resume_from_a_damaged_checkpoint_is_still_named(tmp_path):
    model_dir = str(tmp_path / 'm')
    sentiment_run(model_dir, epochs=1)
    data = next(n for n in os.listdir(model_dir) if '.data-' in n)
    with open(os.path.join(model_dir, data), 'r+b') as f:
        f.truncate(64)
    with pytest.raises(DataError, match='cannot load the checkpoint'):
        sentiment_run(model_dir, epochs=2, resume=1)


# ---------------------------------------------------------------------------
# The model folder's lock
# ---------------------------------------------------------------------------

def test_a_lock_file_removed_during_the_run_does_not_break_the_cleanup(tmp_path):
    from beyond_slides.model_folder import LOCK_NAME, model_dir_lock
    model_dir = str(tmp_path / 'm')
    with model_dir_lock(model_dir):
        os.remove(os.path.join(model_dir, LOCK_NAME))
        (tmp_path / 'm' / 'kept.txt').write_text('saved')
    assert os.listdir(model_dir) == ['kept.txt']


def test_the_lock_is_taken_on_the_file_that_is_there(tmp_path, monkeypatch):
    """A run that opened the lock file just before the run holding it removed it must not lock
    the removed file (both would then train): it checks, after flock, that its file is the one
    at the path, and takes the new one."""
    from beyond_slides import model_folder
    model_dir = str(tmp_path / 'm')
    os.makedirs(model_dir)
    path = os.path.join(model_dir, model_folder.LOCK_NAME)
    real_lock, calls = model_folder._lock, []

    def lock(f):
        if not calls:  # the holder removes its file between our open() and our flock()
            os.remove(path)
        calls.append(f)
        real_lock(f)
    monkeypatch.setattr(model_folder, '_lock', lock)
    with model_folder.model_dir_lock(model_dir):
        assert len(calls) == 2
        assert os.fstat(calls[-1].fileno()).st_ino == os.stat(path).st_ino


# ---------------------------------------------------------------------------
# The data files
# ---------------------------------------------------------------------------

def test_md5_covers_the_whole_of_a_large_file(tmp_path):
    path = tmp_path / 'big.bin'
    data = np.random.RandomState(0).bytes(5 * 2 ** 20 + 123)  # 5 MiB and a bit
    path.write_bytes(data)
    assert datasets.md5sum(str(path)) == hashlib.md5(data).hexdigest()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # the last byte changed
    assert datasets.md5sum(str(path)) != hashlib.md5(data).hexdigest()


def test_a_tarball_replaced_at_the_same_path_is_read_again(tmp_path):
    from conftest import TINY_REVIEWS
    path = str(tmp_path / 'imdb.tar.gz')
    make_imdb_tarball(path)
    first = data_utils.load_movie_data(path)
    other = {k: {name: text.replace('great', 'superb') for name, text in v.items()} for k, v in TINY_REVIEWS.items()}
    make_imdb_tarball(path, other)
    second = data_utils.load_movie_data(path)
    assert 'superb' in ' '.join(second['review']) and 'superb' not in ' '.join(first['review'])


# ---------------------------------------------------------------------------
# The walkthrough's figures are the model's, dropout off
# ---------------------------------------------------------------------------

def test_the_next_character_figure_runs_the_model_without_dropout():
    from beyond_slides.walkthrough import next_char_probabilities
    chars, shown = next_char_probabilities(SHIPPED, 'The ')
    expected = []
    greedy_text(SHIPPED, 'The ', 1, probabilities=expected)
    np.testing.assert_allclose(shown, expected[0], rtol=1e-6, atol=1e-7)


def test_the_stop_point_is_written_in_the_model_folder_then_renamed(tmp_path, monkeypatch):
    """os.replace is atomic only within one file system: the new file starts beside the old."""
    model_dir, elsewhere = tmp_path / 'm', tmp_path / 'cwd'
    model_dir.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    moves, real_replace = [], os.replace
    monkeypatch.setattr(os, 'replace', lambda a, b: (moves.append((a, b)), real_replace(a, b))[1])
    StopPoint('sentiment-stopped-7.ckpt', 1, 2, [np.ones((1, 3))], 1.5, 2).save(str(model_dir))
    assert len(moves) == 1 and os.path.dirname(moves[0][0]) == str(model_dir)
    assert moves[0][1] == str(model_dir / 'stopped_at.npz')
    assert os.listdir(str(model_dir)) == ['stopped_at.npz'] and os.listdir(str(elsewhere)) == []
    with np.load(str(model_dir / 'stopped_at.npz')) as z:
        assert (str(z['checkpoint']), int(z['epoch']), int(z['batch']), float(z['loss_sum']), int(z['n_losses'])) \
            == ('sentiment-stopped-7.ckpt', 1, 2, 1.5, 2)
        assert z['state_0'].tolist() == [[1.0, 1.0, 1.0]]


def test_a_resumed_run_stopped_again_resumes_from_its_second_stop(tmp_path):
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped):
        sentiment_run(model_dir, epochs=2, signal_at=3)
    with pytest.raises(TrainingStopped):
        sentiment_run(model_dir, epochs=2, signal_at=7, resume=load_stop_point(model_dir))
    point = load_stop_point(model_dir)
    assert (point.checkpoint, point.epoch, point.batch) == ('sentiment-stopped-7.ckpt', 1, 2)
    assert not [name for name in os.listdir(model_dir) if 'stopped-3' in name]  # the first stop's files
    assert [i for _, i, _ in history_rows(model_dir)] == list(range(1, 8))
