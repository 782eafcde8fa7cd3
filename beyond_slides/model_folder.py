"""A model folder (not on the slides): everything a trained model keeps on disk, owned here.

- model_config.json: the model, its hyperparameters (with the epochs behind the latest checkpoint)
  and its vocabulary: the checkpoint holds only numbers, this file what each id stands for, so that a
  model trained in one Python process predicts and samples right in another;
- the slides' checkpoints and TensorFlow's `checkpoint` index file;
- loss_history.csv: (epoch, iteration, loss) of every mini-batch up to the latest checkpoint;
- stopped_at.npz after Ctrl-C: where the stopped run goes on (a ResumePoint);
- .training.lock while a training run uses the folder (one at a time).
"""
import collections
import contextlib
import csv
import glob
import io
import json
import os

import numpy as np

from beyond_slides.errors import DataError
from beyond_slides.files import atomic_write_bytes, atomic_write_text, folder_lock, read_json
from beyond_slides.settings import CHAR, REPO, SHIPPED_CHAR_RNN, TRAINED_CHAR_RNN

CONFIG_NAME = 'model_config.json'
HISTORY_NAME = 'loss_history.csv'
STOP_POINT_NAME = 'stopped_at.npz'
LOCK_NAME = '.training.lock'


def write_model_config(path, model, hparams, vocab):
    """The one writer of model_config.json, and of the vocabulary file beside an exported Keras model."""
    config = {'model': model, 'hparams': hparams, 'vocab': vocab}
    text = json.dumps(config, ensure_ascii=False)  # pragma: no mutate: ensure_ascii=None: json reads the false value as False
    atomic_write_text(path, text)


def _tf():
    """The lecture's tf.compat.v1, imported on first use: the Keras export's process keeps eager execution."""
    from beyond_slides.tf_setup import tf
    return tf


# Where a training run goes on: after `epoch` epochs and `batch` mini-batches, with the LSTM state carried
# into the next (arrays; None: zero), that epoch's running loss, and a stopped run's checkpoint (or None).
ResumePoint = collections.namedtuple('ResumePoint', 'epoch batch state loss_sum n_losses checkpoint',
                                     defaults=(0, 0, None, 0.0, 0, None))


class ModelFolder(object):
    def __init__(self, path):
        self.path = path

    def file(self, name):
        return os.path.join(self.path, name)

    def save_config(self, model, hparams, vocab):
        os.makedirs(self.path, exist_ok=True)
        write_model_config(self.file(CONFIG_NAME), model, hparams, vocab)

    def load_config(self, model):
        """(hparams, vocab) of the model saved here; DataError if missing, corrupt or another model's."""
        path = self.file(CONFIG_NAME)
        if os.path.isfile(self.path):
            raise DataError('%s is a file, not a model folder: give the folder a model was trained '
                            'into as {model_dir}' % self.path)
        if not os.path.isfile(path):
            raise DataError('%s has no saved model (%s missing): train one first or give another '
                            '{model_dir}' % (self.path, CONFIG_NAME))
        config = read_json(path)
        if not (isinstance(config, dict) and {'model', 'hparams', 'vocab'} <= set(config)
                and isinstance(config['hparams'], dict)):
            raise DataError('%s is corrupt: delete the folder and train again' % path)
        if config['model'] != model:
            raise DataError('%s holds a %s model, not a %s model: give the right {model_dir}'
                            % (self.path, config['model'], model))
        return config['hparams'], config['vocab']

    def require_hparams(self, hparams, names):
        """The saved hyperparameters `names`; one missing is a damaged configuration (one line, not a KeyError)."""
        missing = sorted(set(names) - set(hparams))
        if missing:
            raise DataError('%s is corrupt (its hparams lack %s): delete the folder and train again'
                            % (self.file(CONFIG_NAME), ', '.join(missing)))
        return {k: hparams[k] for k in names}

    def saved_vocab(self, model):
        return self.load_config(model)[1] if os.path.exists(self.file(CONFIG_NAME)) else None

    def record_chars(self, char_rnn):
        """Before a CharRNN trains here: save its characters and hyperparameters, or check those saved."""
        if char_rnn.chars is None:
            return
        chars, saved = list(char_rnn.chars), self.saved_vocab(CHAR.name)
        if saved is None:
            self.save_config(CHAR.name, CHAR.hparams_of(char_rnn), chars)
        elif saved != chars:
            raise DataError('%s holds a CharRNN of other characters (or of the same in another order): '
                            'give train() another ckpt_dir' % self.path)

    def chars_for_sampling(self, char_rnn):
        """The characters (ids in order) CharRNN.sample() reads: CharRNN.chars or those saved, never two that differ."""
        saved = self.saved_vocab(CHAR.name)
        chars = saved if char_rnn.chars is None else list(char_rnn.chars)
        if saved is not None and chars != saved:
            raise DataError('the characters handed to the CharRNN (CharRNN.chars) are not those saved with '
                            'the model in %s (set(text) orders them differently in each Python process): '
                            'set CharRNN.chars = None to sample with the saved ones' % self.path)
        if chars is None:
            raise DataError('CharRNN.sample() does not know which character each id of the model in %s '
                            'stands for (no %s there): add the line `CharRNN.chars = chars` before '
                            'creating the CharRNN that trains it' % (self.path, CONFIG_NAME))
        if len(chars) != char_rnn.num_classes:
            raise DataError('the CharRNN has num_classes=%d but its vocabulary has %d characters: create it '
                            'with CharRNN(len(chars), ...)' % (char_rnn.num_classes, len(chars)))
        return chars

    def check_same_hparams(self, saved, given):
        differ = ['{%s} %s (saved: %s)' % (k, v, saved[k]) for k, v in sorted(given.items())
                  if k in saved and saved[k] != v]
        if differ:
            raise DataError('the model in %s was trained with other settings: %s; leave those out '
                            'or give another {model_dir}' % (self.path, ', '.join(differ)))

    def refuse_shipped(self):
        """No training run ever writes into the CharRNN shipped with the project (git tracks it)."""
        if os.path.realpath(self.path) == os.path.realpath(SHIPPED_CHAR_RNN):
            raise DataError('%s is the CharRNN shipped with the project, which training never changes: '
                            'train into a folder of your own, e.g. {model_dir} %s'
                            % (self.path, os.path.relpath(TRAINED_CHAR_RNN, REPO)))

    def refuse_to_overwrite(self):
        if os.path.exists(self.file('checkpoint')):
            raise DataError('%s already holds a trained model: continue it with {resume}, or give '
                            'another {model_dir}' % self.path)

    def lock(self):
        return folder_lock(self.path, LOCK_NAME)

    def latest_checkpoint(self):
        return _tf().train.latest_checkpoint(self.path)

    def latest_checkpoint_or_fail(self):
        path = self.latest_checkpoint()
        if path is None:
            if glob.glob(self.file('*.index')):  # checkpoints, but no readable index file
                raise DataError('the checkpoint index file %s is missing or damaged; %s'
                                % (self.file('checkpoint'), self._what_to_load_instead()))
            raise DataError('%s holds no checkpoint: train a model first or give another {model_dir}'
                            % self.path)
        return path

    def refuse_missing_files(self, checkpoint):
        """A missing .data file of the checkpoint (whose .index is there) is named as such."""
        data = glob.glob(glob.escape(checkpoint) + '.data-*')
        total = int(data[0].rsplit('-of-', 1)[1]) if data else 1  # .data-00000-of-00002: one of two
        for name in ['%s.data-%05d-of-%05d' % (checkpoint, i, total) for i in range(total)]:
            if not os.path.exists(name):
                raise DataError('the checkpoint file %s is missing (deleted, or not copied with the folder): '
                                'put it back from a copy of the folder, or train again' % name)

    def _what_to_load_instead(self, damaged=None):
        """How to go on from the newest checkpoint here (but `damaged`) whose every tensor reads back."""
        tf = _tf()
        for index in sorted(glob.glob(self.file('*.index')), key=os.path.getmtime, reverse=True):
            prefix = index[:-len('.index')]
            if damaged and os.path.abspath(prefix) == os.path.abspath(damaged):
                continue
            try:
                reader = tf.train.load_checkpoint(prefix)
                for name in reader.get_variable_to_shape_map():
                    reader.get_tensor(name)
            except Exception:  # noqa: BLE001  (any failure means: not complete)
                continue
            name = os.path.basename(prefix)
            return ('the newest complete checkpoint there is %s: to use it, write the line '
                    'model_checkpoint_path: "%s" into %s' % (name, name, self.file('checkpoint')))
        return 'no complete checkpoint is left there: train again or restore the folder from a copy'

    def restore(self, saver, sess):
        """The slides' `saver.restore(sess, tf.train.latest_checkpoint(...))`, with one-line errors."""
        with self.checkpoint_errors():
            saver.restore(sess, self.latest_checkpoint())

    @contextlib.contextmanager
    def checkpoint_errors(self):
        """One-line errors for a restore of the latest checkpoint (missing, damaged, of another configuration)."""
        path = self.latest_checkpoint_or_fail()
        tf = _tf()
        try:
            yield
        except (tf.errors.DataLossError, tf.errors.OutOfRangeError) as e:
            raise DataError('cannot load the checkpoint %s: it is damaged (truncated or corrupt, as by a '
                            'run killed while saving); %s' % (path, self._what_to_load_instead(path))) from e
        except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as e:
            self.refuse_missing_files(path)  # a deleted file: named as such
            raise DataError('cannot load the checkpoint %s: it was saved with another configuration '
                            '(its variables or their shapes differ) or is damaged' % path) from e

    def save_stop_point(self, point):
        """Written before the stopped run's checkpoint: stop_point() ignores it if that is not the latest."""
        arrays = {'state_%d' % i: a for i, a in enumerate(point.state)}
        buffer = io.BytesIO()
        np.savez(buffer, checkpoint=point.checkpoint, epoch=point.epoch, batch=point.batch,
                 loss_sum=point.loss_sum, n_losses=point.n_losses, **arrays)
        atomic_write_bytes(self.file(STOP_POINT_NAME), buffer.getvalue())

    def stop_point(self):
        """The ResumePoint of a run stopped by Ctrl-C, or None: also None when the latest checkpoint is not the
        stopped run's own (the run trained on after the stop, or died before writing it)."""
        path = self.file(STOP_POINT_NAME)
        if not os.path.exists(path):
            return None
        try:
            with np.load(path) as z:
                state = [z['state_%d' % i] for i in range(sum(k.startswith('state_') for k in z.files))]
                point = ResumePoint(int(z['epoch']), int(z['batch']), state, float(z['loss_sum']),
                                    int(z['n_losses']), str(z['checkpoint']))
        except Exception as e:
            raise DataError('%s is damaged (%s): delete it to resume from the last whole-epoch checkpoint'
                            % (path, e)) from e
        latest = os.path.basename(self.latest_checkpoint() or '')  # pragma: no mutate: no checkpoint is named 'XXXX', so point.checkpoint differs from '' and 'XXXX' alike
        return point if point.checkpoint == latest else None

    def forget_stopped_run(self, point, stop_file_is_new):
        """A newer checkpoint is saved: the stopped run's own goes, and its stop point unless just replaced."""
        prefix = self.file(point.checkpoint)
        for name in os.listdir(self.path):
            if self.file(name).startswith(prefix + '.'):
                os.remove(self.file(name))
        if not stop_file_is_new:
            os.remove(self.file(STOP_POINT_NAME))

    def append_history(self, rows):
        path = self.file(HISTORY_NAME)
        new_file = not os.path.exists(path)
        with open(path, 'a', newline='') as f:  # pragma: no mutate: newline=None (or no newline argument) writes csv's \r\n unchanged where the line end is \n (here); only on Windows would it become \r\r\n
            out = csv.writer(f)
            if new_file:
                out.writerow(['epoch', 'iteration', 'loss'])
            out.writerows(rows)
