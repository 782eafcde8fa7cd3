"""A model folder (not on the slides): everything a trained model keeps on disk, owned here.

- model_config.json: the model, its hyperparameters (with the epochs behind the latest checkpoint)
  and its vocabulary. A checkpoint holds only numbers: which word or character each id stands for
  is in this file, so a model trained in one Python process predicts and samples right in another.
- the slides' checkpoints and TensorFlow's `checkpoint` index file;
- loss_history.csv: (epoch, iteration, loss) of every mini-batch up to the latest checkpoint;
- stopped_at.npz after Ctrl-C: where the stopped run goes on (a ResumePoint);
- .training.lock while a training run uses the folder (one at a time).
"""
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
    """The one writer of a model's configuration (name, hyperparameters, vocabulary with ids in order):
    the folder's model_config.json, and the vocabulary file beside an exported Keras model."""
    config = {'model': model, 'hparams': hparams, 'vocab': vocab}
    text = json.dumps(config, ensure_ascii=False)  # pragma: no mutate: ensure_ascii=None: json reads the false value as False
    atomic_write_text(path, text)


def _tf():
    """tf.compat.v1, set up for the lecture. Imported on first use, not with this module: the
    Keras export reads model folders in a process that must keep TensorFlow's eager execution on."""
    from beyond_slides.tf_setup import tf
    return tf


class ResumePoint(object):
    """Where a training run goes on from: after `epoch` whole epochs and `batch` mini-batches of the next,
    with the LSTM state carried into that mini-batch (arrays, or None for the zero state) and that epoch's
    running loss. checkpoint: a stopped run's own; None for the latest whole-epoch one."""

    def __init__(self, epoch=0, batch=0, state=None, loss_sum=0.0, n_losses=0, checkpoint=None):  # pragma: no mutate: loss_sum's and n_losses' defaults are read only for a point with batch > 0 (Supervisor), and every such point (a stop point) gives its own
        self.epoch, self.batch = int(epoch), int(batch)
        self.state = None if state is None else list(state)
        self.loss_sum, self.n_losses, self.checkpoint = float(loss_sum), int(n_losses), checkpoint


class ModelFolder(object):
    def __init__(self, path):
        self.path = path

    def file(self, name):
        return os.path.join(self.path, name)

    # -- the configuration: model, hyperparameters, vocabulary ----------------------------

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
        """The saved hyperparameters a loader builds its graph from: a configuration without one is
        damaged (a one-line error, not a KeyError)."""
        missing = sorted(set(names) - set(hparams))
        if missing:
            raise DataError('%s is corrupt (its hparams lack %s): delete the folder and train again'
                            % (self.file(CONFIG_NAME), ', '.join(missing)))
        return {k: hparams[k] for k in names}

    def saved_vocab(self, model):
        """The vocabulary saved here, or None when the folder has no configuration yet."""
        if not os.path.exists(self.file(CONFIG_NAME)):
            return None
        return self.load_config(model)[1]

    def record_chars(self, char_rnn):
        """Before a CharRNN trains here: save its characters (CharRNN.chars) and hyperparameters, or check
        them against those saved. A checkpoint never stands without the vocabulary it was trained with."""
        if char_rnn.chars is None:
            return
        chars, saved = list(char_rnn.chars), self.saved_vocab(CHAR.name)
        if saved is None:
            self.save_config(CHAR.name, {k: getattr(char_rnn, k) for k in CHAR.hparams}, chars)
        elif saved != chars:
            raise DataError('%s holds a CharRNN of other characters (or of the same in another order): '
                            'give train() another ckpt_dir' % self.path)

    def chars_for_sampling(self, char_rnn):
        """The characters (ids in order) CharRNN.sample() reads the model saved here with: CharRNN.chars
        or those saved; never another vocabulary than the model was trained with."""
        given = None if char_rnn.chars is None else list(char_rnn.chars)
        saved = self.saved_vocab(CHAR.name)
        if given is not None and saved is not None and given != saved:
            raise DataError('the characters handed to the CharRNN (CharRNN.chars) are not those saved with '
                            'the model in %s (set(text) orders them differently in each Python process): '
                            'set CharRNN.chars = None to sample with the saved ones' % self.path)
        chars = given if given is not None else saved
        if chars is None:
            raise DataError('CharRNN.sample() does not know which character each id of the model in %s '
                            'stands for (no %s there): add the line `CharRNN.chars = chars` before '
                            'creating the CharRNN that trains it' % (self.path, CONFIG_NAME))
        if len(chars) != char_rnn.num_classes:
            raise DataError('the CharRNN has num_classes=%d but its vocabulary has %d characters: create it '
                            'with CharRNN(len(chars), ...)' % (char_rnn.num_classes, len(chars)))
        return list(chars)

    def check_same_hparams(self, saved, given):
        """DataError if a hyperparameter the user gave differs from the saved model's."""
        differ = ['{%s} %s (saved: %s)' % (k, v, saved[k]) for k, v in sorted(given.items())
                  if k in saved and saved[k] != v]
        if differ:
            raise DataError('the model in %s was trained with other settings: %s; leave those out '
                            'or give another {model_dir}' % (self.path, ', '.join(differ)))

    # -- one training run at a time --------------------------------------------------------

    def refuse_shipped(self):
        """No training run, new or resumed, ever writes into the CharRNN shipped with the project
        (git tracks it; sampling it needs no training)."""
        if os.path.realpath(self.path) == os.path.realpath(SHIPPED_CHAR_RNN):
            raise DataError('%s is the CharRNN shipped with the project, which training never changes: '
                            'train into a folder of your own, e.g. {model_dir} %s'
                            % (self.path, os.path.relpath(TRAINED_CHAR_RNN, REPO)))

    def refuse_to_overwrite(self):
        """A new training run never writes over a saved model."""
        if os.path.exists(self.file('checkpoint')):
            raise DataError('%s already holds a trained model: continue it with {resume}, or give '
                            'another {model_dir}' % self.path)

    def lock(self):
        return folder_lock(self.path, LOCK_NAME)

    # -- checkpoints -----------------------------------------------------------------------

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
        """A missing .data file of the checkpoint is named as such, not as a checkpoint of other shapes
        (its .index is there: tf.train.latest_checkpoint names only checkpoints that have one)."""
        data = glob.glob(glob.escape(checkpoint) + '.data-*')
        # A .data file's name says how many there are: .data-00000-of-00002 and .data-00001-of-00002.
        total = int(data[0].rsplit('-of-', 1)[1]) if data else 1
        names = ['%s.data-%05d-of-%05d' % (checkpoint, i, total) for i in range(total)]
        missing = [n for n in names if not os.path.exists(n)]
        if missing:
            raise DataError('the checkpoint file %s is missing (deleted, or not copied with the folder): '
                            'put it back from a copy of the folder, or train again' % missing[0])

    def newest_complete_checkpoint(self, but=None):
        """The newest checkpoint here (other than `but`) whose every tensor reads back, or None."""
        tf = _tf()
        prefixes = sorted((p[:-len('.index')] for p in glob.glob(self.file('*.index'))),
                          key=lambda p: os.path.getmtime(p + '.index'), reverse=True)
        for prefix in prefixes:
            if but and os.path.abspath(prefix) == os.path.abspath(but):
                continue
            try:
                reader = tf.train.load_checkpoint(prefix)
                for name in reader.get_variable_to_shape_map():
                    reader.get_tensor(name)
            except Exception:  # noqa: BLE001  (any failure means: not complete)
                continue
            return prefix
        return None

    def _what_to_load_instead(self, damaged=None):
        """How to go on from the newest complete checkpoint other than `damaged`."""
        good = self.newest_complete_checkpoint(but=damaged)
        if good is None:
            return 'no complete checkpoint is left there: train again or restore the folder from a copy'
        name = os.path.basename(good)
        return ('the newest complete checkpoint there is %s: to use it, write the line '
                'model_checkpoint_path: "%s" into %s' % (name, name, self.file('checkpoint')))

    def restore(self, saver, sess):
        """The slides' `saver.restore(sess, tf.train.latest_checkpoint(...))`, with checkpoint_errors'
        one-line errors."""
        with self.checkpoint_errors():
            saver.restore(sess, self.latest_checkpoint())

    @contextlib.contextmanager
    def checkpoint_errors(self):
        """One-line errors for restoring the latest checkpoint (the slides' `self.saver.restore(...)`),
        missing, damaged or of another configuration. Wrap the restore only."""
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

    # -- a stopped run, and the loss history -----------------------------------------------

    def save_stop_point(self, point):
        """Written before the stopped run's checkpoint: a run killed in between leaves the latest
        checkpoint unchanged, and stop_point() then ignores this file."""
        arrays = {'state_%d' % i: a for i, a in enumerate(point.state)}
        buffer = io.BytesIO()
        np.savez(buffer, checkpoint=point.checkpoint, epoch=point.epoch, batch=point.batch,
                 loss_sum=point.loss_sum, n_losses=point.n_losses, **arrays)
        atomic_write_bytes(self.file(STOP_POINT_NAME), buffer.getvalue())

    def resume_point(self, epochs_done):
        return self.stop_point() or ResumePoint(epoch=epochs_done)

    def stop_point(self):
        """The ResumePoint of a run stopped by Ctrl-C, or None: also None when the latest checkpoint
        is not the stopped run's own (the run trained on after the stop, or died before writing it)."""
        path = self.file(STOP_POINT_NAME)
        if not os.path.exists(path):
            return None
        try:
            with np.load(path) as z:
                n_state = sum(1 for k in z.files if k.startswith('state_'))
                point = ResumePoint(z['epoch'], z['batch'], [z['state_%d' % i] for i in range(n_state)],
                                    z['loss_sum'], z['n_losses'], str(z['checkpoint']))
        except Exception as e:
            raise DataError('%s is damaged (%s): delete it to resume from the last whole-epoch checkpoint'
                            % (path, e)) from e
        if point.checkpoint != os.path.basename(self.latest_checkpoint() or ''):  # pragma: no mutate: no checkpoint is named 'XXXX', so the comparison is true for '' and 'XXXX' alike
            return None
        return point

    def forget_stopped_run(self, point, stop_file_is_new):
        """Once a newer checkpoint is saved, a stopped run's own checkpoint is of no more use, nor
        is its stop-point file, unless a new stop has just replaced it."""
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
