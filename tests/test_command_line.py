"""The command lines as a user meets them: the slides' settings by default, --help, the option
types at their edges, and run_command's exit status and one line for each kind of error, worked
by hand."""
import argparse
import contextlib
import errno
import importlib
import io
import os
import signal
import sys
import types

import pytest

from beyond_slides import cli, settings
from beyond_slides.errors import DataError, TrainingStopped, UserError
from beyond_slides.settings import CHAR_HPARAMS, SENTIMENT_HPARAMS
from char_rnn import CharRNN
from conftest import ROOT
from data_helpers import synthetic_reviews
from sentiment_rnn import SentimentRNN

run_command = cli.run_command


# ---------------------------------------------------------------------------
# What the commands default to: the slides' instantiation (the book's driver code)
# ---------------------------------------------------------------------------

class Built(Exception):
    """Raised by a recording model's train(): the command built it and would train it now."""


def recording(model_class, seen):
    class Recording(model_class):
        def __init__(self, *args, **kwargs):
            with contextlib.redirect_stdout(io.StringIO()):
                super().__init__(*args, **kwargs)

        def train(self, *args, **kwargs):
            seen['num_epochs'] = kwargs['num_epochs']
            seen['model'] = self
            raise Built()
    return Recording


def parse(command, argv):
    return cli.parse(command.build_parser(), argv, command.kind.hparams, command.kind.epochs)


def run_uncaught(command, argv):
    """The command with argv, its errors not turned into exit codes."""
    return command.run(parse(command, argv))


@pytest.mark.parametrize('command, kind, model, epochs', [
    (cli.SENTIMENT_COMMAND, settings.SENTIMENT, 'SentimentRNN', 40),  # rnn.train(X_train, y_train, num_epochs=40)
    (cli.CHAR_COMMAND, settings.CHAR, 'CharRNN', 100)])  # rnn.train(train_x, train_y, num_epochs=100, ...)
def test_each_command_trains_its_model_with_the_slides_settings(command, kind, model, epochs):
    assert command.kind is kind and (command.kind.name, command.kind.epochs) == (model, epochs)


@pytest.mark.parametrize('command, argv, epochs', [
    (cli.SENTIMENT_COMMAND, [], 40), (cli.CHAR_COMMAND, ['--train'], 100), (cli.SENTIMENT_COMMAND, ['--epochs', '3'], 3)])
def test_main_hands_run_the_options_with_the_slides_epochs_and_returns_its_status(command, argv, epochs,
                                                                                  monkeypatch):
    seen = []
    monkeypatch.setattr(command, 'run', lambda options: seen.append(options) or 7)
    assert command.main(argv) == 7
    assert [(o.epochs, o.hparams) for o in seen] == [(epochs, command.kind.hparams)]


def test_a_run_stopped_under_main_says_how_to_continue_it_with_its_own_options(monkeypatch, capsys):
    def stopped(options):
        raise TrainingStopped('stopped by SIGINT', signal.SIGINT)
    monkeypatch.setattr(cli.CHAR_COMMAND, 'run', stopped)
    assert cli.CHAR_COMMAND.main(['--train', '--epochs', '3']) == 130
    assert capsys.readouterr().err == '\nstopped by SIGINT; continue with: python char_rnn.py --train --epochs 3 --resume\n'


def test_the_sentiment_command_defaults_to_the_slides_settings(tmp_path, monkeypatch):
    from beyond_slides import sentiment_command
    seen = {}
    monkeypatch.setattr(sentiment_command, 'SentimentRNN', recording(SentimentRNN, seen))
    synthetic_reviews(400).to_csv(str(tmp_path / 'reviews.csv'), index=False)
    with pytest.raises(Built), contextlib.redirect_stdout(io.StringIO()):
        run_uncaught(cli.SENTIMENT_COMMAND, ['--data', str(tmp_path / 'reviews.csv'), '--model-dir', str(tmp_path / 'm')])
    # rnn = SentimentRNN(n_words=n_words, seq_len=sequence_length, embed_size=256, lstm_size=128,
    #                    num_layers=1, batch_size=100, learning_rate=0.001); rnn.train(..., num_epochs=40)
    model = seen['model']
    assert (model.seq_len, model.embed_size, model.lstm_size, model.num_layers, model.batch_size,
            model.learning_rate) == (200, 256, 128, 1, 100, 0.001)
    assert seen['num_epochs'] == 40


def test_the_char_command_defaults_to_the_slides_settings(tmp_path, monkeypatch):
    from beyond_slides import char_command
    seen = {}
    monkeypatch.setattr(char_command, 'CharRNN', recording(CharRNN, seen))
    with pytest.raises(Built), contextlib.redirect_stdout(io.StringIO()):
        run_uncaught(cli.CHAR_COMMAND, ['--train', '--model-dir', str(tmp_path / 'm')])
    # rnn = CharRNN(num_classes=len(chars), batch_size=64) with the constructor's defaults
    # (num_steps=100, lstm_size=128, num_layers=1, learning_rate=0.001, keep_prob=0.5,
    # grad_clip=5); rnn.train(train_x, train_y, num_epochs=100, ...)
    model = seen['model']
    assert (model.num_classes, model.batch_size, model.num_steps, model.lstm_size, model.num_layers,
            model.learning_rate, model.keep_prob, model.grad_clip) == (65, 64, 100, 128, 1, 0.001, 0.5, 5)
    assert seen['num_epochs'] == 100


@pytest.mark.parametrize('command', [cli.SENTIMENT_COMMAND, cli.CHAR_COMMAND])
def test_walkthrough_then_training_hands_on_each_option_and_the_walkthroughs_reviews(command, tmp_path, monkeypatch):
    """--walkthrough --epochs N: the walkthrough first, then training with every option given
    (--logdir included); the sentiment command trains on the reviews the walkthrough read."""
    sentiment = command is cli.SENTIMENT_COMMAND
    module = importlib.import_module('beyond_slides.%s_command' % ('sentiment' if sentiment else 'char'))
    train = 'train_and_test' if sentiment else 'train'
    calls, read = [], ('the reviews', 'the word ids', 'the mapped reviews')
    monkeypatch.setattr(module, 'walkthrough', lambda *args: calls.append(('walkthrough',) + args) or read)
    monkeypatch.setattr(module, train, lambda *args, **kwargs: calls.append((train, args, kwargs)) or 0)
    data, model_dir, logdir = (str(tmp_path / name) for name in ('data', 'm', 'tb'))
    argv = ['--walkthrough', '--epochs', '3', '--data', data, '--model-dir', model_dir, '--logdir', logdir,
            '--resume', '--lstm-size', '8'] + (['--limit', '500'] if sentiment else [])
    assert run_uncaught(command, argv) == 0
    options = dict(data=data, resume=True, given={'lstm_size': 8}, logdir=logdir)
    if sentiment:
        options.update(limit=500, prepared=read)
    assert calls == [('walkthrough', data) + ((model_dir,) if sentiment else ()),
                     (train, (model_dir, dict(command.kind.hparams, lstm_size=8), 3), options)]


@pytest.mark.parametrize('argv, job', [(['--walkthrough'], 'walkthrough'), (['--walkthrough', '--train'], 'walkthrough'),
                                       (['--walkthrough', '--train', '--epochs', '2'], 'train'),
                                       (['--train'], 'train'), ([], 'sample')])
def test_char_rnn_trains_only_with_epochs_after_a_walkthrough(argv, job, monkeypatch, capsys):
    """--walkthrough without --epochs trains nothing, --train or not; --train alone trains the slides' epochs."""
    from beyond_slides import char_command
    calls = []
    for name in ('walkthrough', 'train', 'sample'):
        monkeypatch.setattr(char_command, name, lambda *args, name=name, **kwargs: calls.append(name) or 0)
    assert run_uncaught(cli.CHAR_COMMAND, argv) == 0
    assert calls[-1] == job and calls.count('walkthrough') == ('--walkthrough' in argv)
    assert ('walkthrough only' in capsys.readouterr().out) == (job == 'walkthrough')


@pytest.mark.parametrize('command, script, hparams', [(cli.SENTIMENT_COMMAND, 'sentiment_rnn.py', SENTIMENT_HPARAMS),
                                                     (cli.CHAR_COMMAND, 'char_rnn.py', CHAR_HPARAMS)])
def test_help_gives_each_hyperparameters_default_and_no_empty_one(command, script, hparams):
    text = ' '.join(command.build_parser().format_help().split())
    assert text.startswith('usage: python %s [-h]' % script)  # as the student types it
    for name, default in hparams.items():
        option = '--' + name.replace('_', '-')
        shown = '%g' % default if isinstance(default, (int, float)) else default   # a number, or a text option's value
        assert option in text and '(default: %s)' % shown in text.split(option, 2)[-1][:120], option
    assert '(default: None)' not in text and '(default: False)' not in text


def test_help_shows_the_sampling_defaults_of_the_slides_and_the_book():
    # get_top_char(probas, char_size, top_n=5) and sample(..., starter_seq="The ") on the slides;
    # the book's driver: rnn.sample(ckpt_dir=..., output_length=500)
    text = ' '.join(cli.CHAR_COMMAND.build_parser().format_help().split())
    for option, default in (('--sample N', '500'), ('--prime PRIME', 'The '), ('--top-n TOP_N', '5')):
        assert '(default: %s)' % default in text.rsplit(option, 1)[1][:100], option  # its help, not the usage


@pytest.mark.parametrize('command, says', [
    (cli.SENTIMENT_COMMAND, ["Train the slides' SentimentRNN on IMDb reviews and report test accuracy, or (--predict) "
                     "rate reviews with a saved model.", '--batch-size BATCH_SIZE reviews per mini-batch (default: 100)']),
    (cli.CHAR_COMMAND, ["Print text sampled from the slides' CharRNN (the model shipped in models/char_rnn/), or "
                "(--train) train it on Hamlet.", '--batch-size BATCH_SIZE sequences per mini-batch (default: 64)'])])
def test_help_says_what_the_command_does_and_what_a_mini_batch_holds(command, says):
    text = ' '.join(command.build_parser().format_help().split())
    for words in says:
        assert ' %s ' % words in text, words


@pytest.mark.parametrize('command, smallest', [(cli.SENTIMENT_COMMAND, 2), (cli.CHAR_COMMAND, 1)])
def test_the_smallest_batch_is_2_reviews_or_1_sequence(command, smallest, capsys):
    # SentimentRNN's build() squeezes the logits of a batch of 1 to a scalar, which its cost cannot take
    with pytest.raises(SystemExit):
        parse(command, ['--batch-size', str(smallest - 1)])
    assert 'a whole number from %d to 100000' % smallest in capsys.readouterr().err
    options = parse(command, ['--batch-size', str(smallest)])
    assert options.hparams['batch_size'] == smallest

def test_the_device_line_names_each_gpu_or_counts_the_cpu_threads(monkeypatch):
    from beyond_slides import tf_setup
    tf = tf_setup.tf
    gpus = [types.SimpleNamespace(name='/physical_device:GPU:0'), types.SimpleNamespace(name='/physical_device:GPU:1')]
    details = {gpus[0].name: {'device_name': 'NVIDIA A100'}, gpus[1].name: {}}   # the second: no name given
    monkeypatch.setattr(tf.config, 'list_physical_devices', lambda kind: gpus if kind == 'GPU' else [])
    monkeypatch.setattr(tf.config.experimental, 'get_device_details', lambda gpu: details[gpu.name])
    assert tf_setup.device_line() == 'TensorFlow %s on GPU: NVIDIA A100, /physical_device:GPU:1' % tf.__version__
    monkeypatch.setattr(tf.config, 'list_physical_devices', lambda kind: [])
    for set_threads, cores, says in ((1, 8, '1 thread'), (3, 8, '3 threads'), (0, 8, '8 threads'), (0, None, '1 thread')):
        monkeypatch.setattr(tf.config.threading, 'get_intra_op_parallelism_threads', lambda: set_threads)
        monkeypatch.setattr(os, 'cpu_count', lambda: cores)   # 0 threads set: TensorFlow takes the cores
        assert tf_setup.device_line() == 'TensorFlow %s on CPU (%s)' % (tf.__version__, says)

def test_the_options_are_frozen_once_read():
    options = parse(cli.CHAR_COMMAND, ['--lstm-size', '64'])
    assert options.hparams['lstm_size'] == 64 and options.given == {'lstm_size': 64}
    assert options.epochs == 100
    assert not set(CHAR_HPARAMS) & set(options._fields)  # a hyperparameter is read from hparams only
    with pytest.raises(AttributeError):
        options.epochs = 3
    walk = parse(cli.CHAR_COMMAND, ['--walkthrough'])
    assert walk.epochs is None  # the walkthrough alone trains nothing


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
    monkeypatch.setattr(sys, 'argv', ['char_rnn.py', '--seed', '-1'])
    with pytest.raises(SystemExit) as e:
        cli.CHAR_COMMAND.main(['--seed', '-1'] if given == 'as a list' else None)
    assert e.value.code == 2 and capsys.readouterr() == ('', "error: argument --seed: '-1' is not a whole number "
                                                             "from 0 to 4294967295 (python char_rnn.py --help lists "
                                                             "the options)\n")


# ---------------------------------------------------------------------------
# run_command (beyond_slides/cli.py): each kind of error, its exit status and its one line
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


def test_an_error_names_settings_as_python_and_the_command_line_do(capsys):
    error = DataError('lower {learning_rate}, give another {model_dir} or a copy as {data}')
    assert str(error) == ('lower learning_rate, give another model folder or a copy as '
                          'load_movie_data(source=PATH)')
    assert outcome(error, capsys) == (2, 'error: lower --learning-rate, give another --model-dir or a copy '
                                         'as --data PATH\n')


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


# ---------------------------------------------------------------------------
# Where char_rnn.py trains without --model-dir: never into the shipped, git-tracked model
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('argv, folder', [
    ([], 'char_rnn'),                                  # sampling: the shipped model
    (['--export-keras', 'x.keras'], 'char_rnn'),       # exporting it
    (['--walkthrough'], 'char_rnn'),                   # no training
    (['--train'], 'my_char_rnn'),                      # training: a folder of the user's own
    (['--walkthrough', '--epochs', '1'], 'my_char_rnn'),
    (['--train', '--model-dir', 'mine'], None)])       # a folder given is the folder used
def test_char_rnn_trains_into_models_my_char_rnn_and_samples_the_shipped_model_by_default(argv, folder):
    options = parse(cli.CHAR_COMMAND, argv)
    assert options.model_dir == (os.path.join(ROOT, 'models', folder) if folder else 'mine')
    assert 'model_dir_default' not in options._fields


def test_no_training_run_takes_the_shipped_models_folder(tmp_path):
    """Refused before the lock, whose file would be written into the shipped folder."""
    from beyond_slides.model_folder import ModelFolder
    from beyond_slides.training import TrainingRun
    from file_helpers import snapshot
    before = snapshot(settings.SHIPPED_CHAR_RNN)
    for resume in (False, True):
        with pytest.raises(DataError, match='is the CharRNN shipped with the project'):
            with TrainingRun(ModelFolder(settings.SHIPPED_CHAR_RNN + os.sep), 'CharRNN', dict(CHAR_HPARAMS), 300,
                             resume=resume):
                pass
    assert snapshot(settings.SHIPPED_CHAR_RNN) == before
    with TrainingRun(ModelFolder(str(tmp_path / 'char_rnn')), 'CharRNN', dict(CHAR_HPARAMS), 1):
        pass  # a folder of the same name elsewhere is the user's own
