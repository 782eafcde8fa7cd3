"""Stopping a training run (Ctrl-C, SIGTERM) and resuming it, at the edges: the stop in the last
epoch, a second Ctrl-C, a stop point older than the latest checkpoint, the order of the writes,
the epochs already trained, a model without an epoch count, errors after the restore."""
import contextlib
import csv
import io
import os
import signal

import numpy as np
import pytest

import data_utils
from beyond_slides.errors import DataError, TrainingStopped
from beyond_slides.model_folder import ModelFolder
from beyond_slides.predicting import build_quietly
from beyond_slides.supervisor import Supervisor
from beyond_slides.tf_setup import tf
from char_rnn import CharRNN
from conftest import run_cli, run_clis
from data_helpers import PERIODIC, synthetic_reviews
from file_helpers import snapshot
from model_helpers import TestConfig, signal_at, train_char, train_sentiment


def sentiment_run(model_dir, epochs, stop_at=None, times=1, resume=False):
    """A tiny SentimentRNN (5 mini-batches an epoch) trained into model_dir, stopped by SIGINT after
    mini-batch stop_at; returns its supervisor."""
    return train_sentiment(model_dir, epochs, resume=resume, supervisor_class=signal_at(stop_at, times=times))[2]


def history_rows(model_dir):
    with open(os.path.join(model_dir, 'loss_history.csv'), newline='') as f:
        return [(int(e), int(i), float(l)) for e, i, l in list(csv.reader(f))[1:]]


def test_a_stop_in_the_last_epoch_keeps_that_epochs_running_loss(tmp_path):
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped) as stopped:
        sentiment_run(model_dir, epochs=3, stop_at=13)  # epoch 3, its 3rd mini-batch
    assert str(stopped.value) == ('stopped by SIGINT at epoch 3 after 3 mini-batch(es); the model and the '
                                  'optimizer state are saved in %s' % model_dir)
    assert (stopped.value.signum, stopped.value.exit_code) == (signal.SIGINT, 130)
    # the slides' SentimentRNN saves every 10th epoch: the stop's checkpoint is the only one
    assert sorted(os.listdir(model_dir)) == ['checkpoint', 'loss_history.csv', 'model_config.json',
                                             'sentiment-stopped-13.ckpt.data-00000-of-00001',
                                             'sentiment-stopped-13.ckpt.index', 'sentiment-stopped-13.ckpt.meta',
                                             'stopped_at.npz']
    point = ModelFolder(model_dir).stop_point()
    third = [loss for epoch, _, loss in history_rows(model_dir) if epoch == 3]
    assert (point.epoch, point.batch, point.n_losses) == (2, 3, 3) and len(third) == 3
    assert point.loss_sum == pytest.approx(sum(third), rel=1e-6)
    supervisor = sentiment_run(model_dir, epochs=3, resume=True)
    third = [loss for epoch, _, loss in history_rows(model_dir) if epoch == 3]
    assert len(third) == 5 and supervisor.epoch_loss(3) == pytest.approx(sum(third) / 5, rel=1e-6)


def test_the_first_checkpoint_after_a_resumed_stop_clears_the_stop(tmp_path):
    """Once the resumed run saves a newer checkpoint (the slides' SentimentRNN: every 10th epoch),
    the stop's checkpoint and its stop point are of no more use: both go."""
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped):
        sentiment_run(model_dir, epochs=10, stop_at=3)
    assert {'stopped_at.npz', 'sentiment-stopped-3.ckpt.index'} <= set(os.listdir(model_dir))
    sentiment_run(model_dir, epochs=10, resume=True)
    names = sorted(os.listdir(model_dir))
    assert 'sentiment-9.ckpt.index' in names and [n for n in names if 'stopped' in n] == [], names


@pytest.mark.parametrize('script, prefix', [('sentiment_rnn.py', 'sentiment'), ('char_rnn.py', 'language_modeling')])
def test_a_command_stopped_saves_its_checkpoint_under_the_models_name(tmp_path, monkeypatch, script, prefix):
    from beyond_slides import cli, training
    monkeypatch.setattr(training, 'Supervisor', signal_at(3))
    data = str(tmp_path / ('text.txt' if script == 'char_rnn.py' else 'reviews.csv'))
    if script == 'char_rnn.py':
        command, opts = cli.CHAR_COMMAND, ['--train'] + TestConfig.char_opts
        with open(data, 'w', encoding='utf-8') as f:
            f.write(PERIODIC)
    else:
        command, opts = cli.SENTIMENT_COMMAND, TestConfig.sentiment_opts
        synthetic_reviews(200).to_csv(data, index=False)
    model_dir = str(tmp_path / 'm')
    argv = [str(a) for a in ['--data', data, '--epochs', 2, '--model-dir', model_dir] + opts]
    with pytest.raises(TrainingStopped), contextlib.redirect_stdout(io.StringIO()):
        command.run(cli.parse(command.build_parser(), argv, command.kind.hparams, command.kind.epochs))
    assert ModelFolder(model_dir).stop_point().checkpoint == '%s-stopped-3.ckpt' % prefix


def test_each_epochs_progress_bar_counts_the_mini_batches_it_runs(tmp_path, capsys):
    import sys
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped):
        sentiment_run(model_dir, epochs=3, stop_at=13)  # epoch 3 after 3 of its 5 mini-batches
    rnn, (X_train, y_train, _, _), _ = train_sentiment(str(tmp_path / 'scratch'), epochs=1)  # to resume with
    capsys.readouterr()
    folder = ModelFolder(model_dir)
    with Supervisor(rnn, folder, 'sentiment', 5, 3, start=folder.stop_point()) as supervisor:
        rnn.train(X_train, y_train, num_epochs=3, supervisor=supervisor)
    bar = supervisor.bar
    assert (bar.title, bar.max_iter, bar.cnt, bar.stream) == ('Epoch 3/3', 2, 2, sys.stderr)
    assert 'Epoch 3/3' not in capsys.readouterr().out
    with Supervisor(rnn, ModelFolder(str(tmp_path / 'one')), 'sentiment', 1, 1) as supervisor:
        rnn.model_dir = str(tmp_path / 'one')
        rnn.train(X_train[:20], y_train[:20], num_epochs=1, supervisor=supervisor)  # one mini-batch an epoch
    assert (supervisor.bar.title, supervisor.bar.max_iter, supervisor.bar.cnt) == ('Epoch 1/1', 1, 1)


def test_a_second_ctrl_c_quits_at_once(tmp_path):
    model_dir = str(tmp_path / 'm')
    with pytest.raises(KeyboardInterrupt):
        sentiment_run(model_dir, epochs=2, stop_at=2, times=2)
    assert not os.path.exists(os.path.join(model_dir, 'stopped_at.npz'))  # nothing saved


def test_a_stop_point_older_than_the_latest_checkpoint_is_not_used(tmp_path):
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped):
        sentiment_run(model_dir, epochs=2, stop_at=3)
    folder = ModelFolder(model_dir)
    point = folder.stop_point()
    assert point is not None
    with open(os.path.join(model_dir, 'checkpoint'), 'w') as f:  # as if a later run saved sentiment-1
        f.write('model_checkpoint_path: "sentiment-1.ckpt"\nall_model_checkpoint_paths: "sentiment-1.ckpt"\n')
    for suffix in ('.index', '.data-00000-of-00001', '.meta'):
        src = os.path.join(model_dir, point.checkpoint + suffix)
        with open(src, 'rb') as a, open(os.path.join(model_dir, 'sentiment-1.ckpt' + suffix), 'wb') as b:
            b.write(a.read())
    assert folder.stop_point() is None


def test_stop_writes_the_stop_point_before_the_checkpoint(tmp_path, monkeypatch):
    """A run killed between the two leaves the latest checkpoint as it was: the stop point,
    naming a checkpoint that is not the latest, is then ignored."""
    order = []
    real_save = ModelFolder.save_stop_point
    monkeypatch.setattr(ModelFolder, 'save_stop_point', lambda self, p: (order.append('stop point'),
                                                                        real_save(self, p)))
    real_saver_save = tf.train.Saver.save
    monkeypatch.setattr(tf.train.Saver, 'save', lambda self, sess, path, *a, **k: (
        order.append(os.path.basename(path)), real_saver_save(self, sess, path, *a, **k))[1])
    with pytest.raises(TrainingStopped):
        sentiment_run(str(tmp_path / 'm'), epochs=1, stop_at=2)
    assert order == ['stop point', 'sentiment-stopped-2.ckpt']


def test_a_resumed_run_stopped_again_resumes_from_its_second_stop(tmp_path):
    model_dir = str(tmp_path / 'm')
    with pytest.raises(TrainingStopped):
        sentiment_run(model_dir, epochs=2, stop_at=3)
    with pytest.raises(TrainingStopped):
        sentiment_run(model_dir, epochs=2, stop_at=7, resume=True)
    point = ModelFolder(model_dir).stop_point()
    assert (point.checkpoint, point.epoch, point.batch) == ('sentiment-stopped-7.ckpt', 1, 2)
    assert not [name for name in os.listdir(model_dir) if 'stopped-3' in name]  # the first stop's files
    assert [i for _, i, _ in history_rows(model_dir)] == list(range(1, 8))


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
    first, again = run_clis([(script, common + ['--epochs', 2] + opts),
                             (script, common + ['--resume', '--epochs', 2])])
    assert first.returncode == 0, first.stderr
    assert again.returncode == 2
    assert again.stderr.strip().splitlines()[-1] == (
        'error: the model in %s has already trained 2 epochs: give --epochs above that' % model_dir)


def test_char_resume_of_a_model_without_an_epoch_count_is_refused(tmp_path):
    """A CharRNN trained from Python (the book's way) saves its vocabulary but no epoch count:
    --resume must not start again from epoch 1 over its checkpoint."""
    model_dir = str(tmp_path / 'm')
    chars, char2int, _ = data_utils.char_vocab(PERIODIC)
    x, y = data_utils.reshape_data(data_utils.encode_text(PERIODIC, char2int), 4, 10)
    rnn = build_quietly(CharRNN, len(chars), **TestConfig.char)
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
    """A resume maps TensorFlow's errors to "cannot load the checkpoint" only around the restore."""
    model_dir = str(tmp_path / 'm')
    train_sentiment(model_dir, epochs=1)
    real_run = tf.Session.run

    def run(self, fetches, feed_dict=None, **kwargs):
        if isinstance(fetches, list) and 'train_op' in fetches:
            raise tf.errors.InvalidArgumentError(None, None, 'a bad batch')
        return real_run(self, fetches, feed_dict=feed_dict, **kwargs)
    monkeypatch.setattr(tf.Session, 'run', run)
    with pytest.raises(tf.errors.InvalidArgumentError, match='a bad batch'):
        train_sentiment(model_dir, epochs=2, resume=True)


def test_a_resume_from_a_damaged_checkpoint_is_still_named(tmp_path):
    model_dir = str(tmp_path / 'm')
    train_sentiment(model_dir, epochs=1)
    data = next(n for n in os.listdir(model_dir) if '.data-' in n)
    with open(os.path.join(model_dir, data), 'r+b') as f:
        f.truncate(64)
    with pytest.raises(DataError, match='cannot load the checkpoint'):
        train_sentiment(model_dir, epochs=2, resume=True)


@pytest.mark.parametrize('bad', [float('nan'), float('inf'), float('-inf')])
def test_a_loss_that_is_not_finite_stops_the_run_and_keeps_the_last_checkpoint(tmp_path, monkeypatch, bad):
    model_dir = str(tmp_path / 'm')
    train_sentiment(model_dir, epochs=1)
    before = snapshot(model_dir)
    real_run = tf.Session.run

    def run(self, fetches, feed_dict=None, **kwargs):
        out = real_run(self, fetches, feed_dict=feed_dict, **kwargs)
        if isinstance(fetches, list) and 'cost:0' in fetches:
            out[0] = np.float32(bad)
        return out
    monkeypatch.setattr(tf.Session, 'run', run)
    with pytest.raises(DataError) as e:
        train_sentiment(model_dir, epochs=2, resume=True)
    assert str(e.value).startswith('the training loss became %s at epoch 2, iteration 6: lower learning_rate '
                                   'or grad_clip' % bad)
    assert snapshot(model_dir) == before


# ---------------------------------------------------------------------------
# Resuming from Python with other settings: refused as the commands refuse it, nothing written
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('name, other', [('learning_rate', 0.02), ('lstm_size', 33)])
@pytest.mark.parametrize('model', ['CharRNN', 'SentimentRNN'])
def test_supervised_training_refuses_to_resume_with_other_settings_and_writes_nothing(tmp_path, model, name, other):
    """training.supervised_training (the notebook's path): the model's own settings are the ones
    given, and must be the saved model's."""
    model_dir = str(tmp_path / 'm')
    train = (lambda **kw: train_char(PERIODIC, model_dir, **kw)) if model == 'CharRNN' \
        else (lambda **kw: train_sentiment(model_dir, **kw))
    train(epochs=1)
    before = snapshot(model_dir)
    with pytest.raises(DataError) as refused:
        train(epochs=2, resume=True, **{name: other})
    saved = TestConfig.char[name] if model == 'CharRNN' else TestConfig.sentiment[name]
    assert str(refused.value) == ('the model in %s was trained with other settings: %s %s (saved: %s); leave '
                                  'those out or give another model folder' % (model_dir, name, other, saved))
    assert snapshot(model_dir) == before


def test_char_command_train_refuses_to_resume_with_other_settings_and_writes_nothing(tmp_path):
    """char_command.train() called from Python without `given`: all its settings count as given."""
    from beyond_slides import char_command
    text, model_dir = tmp_path / 'text.txt', str(tmp_path / 'm')
    text.write_text(PERIODIC, encoding='utf-8')
    char_command.train(model_dir, dict(TestConfig.char), 1, data=str(text))
    before = snapshot(model_dir)
    with pytest.raises(DataError, match=r'other settings: lstm_size 33 \(saved: 32\)'):
        char_command.train(model_dir, dict(TestConfig.char, lstm_size=33), 2, data=str(text), resume=True)
    assert snapshot(model_dir) == before
    # the same settings: goes on
    char_command.train(model_dir, dict(TestConfig.char), 2, data=str(text), resume=True)
    assert ModelFolder(model_dir).load_config('CharRNN')[0]['epochs'] == 2
