"""What the models' train() is handed besides the slides' arguments (not on the slides): a supervisor that
resumes a stopped run, skips what it did, records the loss, stops on a loss no longer finite, draws progress
bars, and on Ctrl-C (or SIGTERM) saves the run where it is. train() asks it four things, at the lines marked
"not on the slides": restore_stopped_run (each epoch's first state), runs_batch and after_batch (each
mini-batch), saves_epoch (each epoch's checkpoint). NO_SUPERVISOR, train()'s default, is the slides' training;
beyond_slides/training.py makes a Supervisor.
"""
import math
import signal
import sys
import threading

import pyprind

from beyond_slides.errors import DataError, TrainingStopped
from beyond_slides.model_folder import ResumePoint
from beyond_slides.tf_setup import tf


class NoSupervisor(object):
    """train() without a supervisor: the slides' training, nothing more."""

    def restore_stopped_run(self, sess, epoch, state):
        return state

    def runs_batch(self, iteration):
        return True

    def after_batch(self, sess, epoch, iteration, loss, state):
        pass

    def saves_epoch(self, epoch):
        return True


NO_SUPERVISOR = NoSupervisor()


class Supervisor(NoSupervisor):
    """One training run's supervisor in a model folder; a context manager. start: a ResumePoint (None: a new run).
    While open, the model's saver tells it of each save(): the loss history is written then, matching the latest
    checkpoint, and on_checkpoint(epochs) is called. A second Ctrl-C quits at once."""

    def __init__(self, model, folder, prefix, n_batches, num_epochs, start=None, logdir=None,
                 on_checkpoint=None, progress=True):
        self.model, self.folder, self.prefix = model, folder, prefix
        self.n_batches, self.num_epochs = n_batches, num_epochs
        self.start = start or ResumePoint()
        self.stopped_run = self.start if self.start.checkpoint else None  # its files go once superseded
        self.done_iterations = self.start.epoch * n_batches + self.start.batch
        self.on_checkpoint, self.progress, self.logdir = on_checkpoint, progress, logdir
        self.rows = []  # (epoch, iteration, loss) since the last checkpoint
        self.epoch_loss_sums = {}  # epoch (1-based) -> [sum of losses, number of mini-batches]
        if self.start.batch:
            self.epoch_loss_sums[self.start.epoch + 1] = [self.start.loss_sum, self.start.n_losses]
        self.epoch, self.bar, self.writer = None, None, None
        self.stop_requested = 0  # the signal's number once one has come  # pragma: no mutate: None for 0: stop_requested is tested for truth, and read as a signal only once one came
        self.saver, self._saved_handlers = None, {}  # the model's own saver and signal handlers, while open

    def __enter__(self):
        if self.logdir:
            self.writer = tf.summary.FileWriter(self.logdir, graph=self.model.g)
        self.saver = self.model.saver
        self.model.saver = SaverThatTells(self.saver, self._checkpoint_saved)
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._saved_handlers[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(self, *exc):
        self.close()

    def _on_signal(self, signum, frame):
        if self.stop_requested:
            raise KeyboardInterrupt
        self.stop_requested = signum
        print('\nstopping: saving the model after this mini-batch (Ctrl-C again quits without saving)',
              file=sys.stderr, flush=True)

    def restore_stopped_run(self, sess, epoch, state):
        """The state epoch (0-based) starts from: a resumed run first restores the latest checkpoint, and
        in the epoch where it stopped, its carried state replaces the zero state."""
        if self.epoch is None and self.done_iterations:
            self.folder.restore(self.saver, sess)
        self.epoch = epoch
        if epoch < self.start.epoch:
            return state
        batches = self.n_batches
        if self.start.state is not None and epoch == self.start.epoch:
            state = tf.nest.pack_sequence_as(state, self.start.state)
            batches -= self.start.batch
        if self.progress:
            self.bar = pyprind.ProgBar(max(batches, 1), title='Epoch %d/%d' % (epoch + 1, self.num_epochs),
                                       stream=sys.stderr)
        return state

    def runs_batch(self, iteration):
        """False for the mini-batches (counted from 1) a resumed run trained before."""
        return iteration > self.done_iterations

    def saves_epoch(self, epoch):
        """False for the epochs a resumed run skips whole: a checkpoint would overwrite theirs."""
        return epoch >= self.start.epoch

    def after_batch(self, sess, epoch, iteration, loss, state):
        if not math.isfinite(loss):
            self.close()
            raise DataError('the training loss became %s at epoch %d, iteration %d: lower {learning_rate} '
                            'or {grad_clip}; the last good checkpoint in %s is kept'
                            % (loss, epoch + 1, iteration, self.folder.path))
        self.rows.append((epoch + 1, iteration, float(loss)))
        total = self.epoch_loss_sums.setdefault(epoch + 1, [0.0, 0])
        total[0] += float(loss)
        total[1] += 1
        if self.writer:
            summary = tf.Summary(value=[tf.Summary.Value(tag='train_loss', simple_value=float(loss))])
            self.writer.add_summary(summary, iteration)
        if self.bar and self.bar.cnt < self.bar.max_iter:  # pragma: no mutate: <= for <: pyprind writes nothing for an update of a full bar
            self.bar.update()
        if self.stop_requested:
            self.stop(sess, epoch, iteration, state)

    def epoch_loss(self, epoch):
        """Mean training loss of epoch (1-based), over all its mini-batches, before and after a stop."""
        total, n = self.epoch_loss_sums[epoch]
        return total / n

    def stop(self, sess, epoch, iteration, state):
        """Save the run after `iteration` (in epoch, 0-based), then raise TrainingStopped."""
        batch = iteration - epoch * self.n_batches
        name = '%s-stopped-%d.ckpt' % (self.prefix, iteration)
        total, n = self.epoch_loss_sums[epoch + 1]  # after_batch has just added this mini-batch
        self.folder.save_stop_point(ResumePoint(epoch, batch, tf.nest.flatten(state), total, n, name))
        self.saver.save(sess, self.folder.file(name))  # the model's own saver: no epoch's checkpoint
        self._checkpoint_saved(stopping=True)
        self.close()
        raise TrainingStopped('stopped by %s at epoch %d after %d mini-batch(es); the model and the optimizer state '
                              'are saved in %s' % (signal.Signals(self.stop_requested).name, epoch + 1, batch,
                                                   self.folder.path), self.stop_requested)

    def _checkpoint_saved(self, stopping=False):  # pragma: no mutate: None for False: stopping is only tested for truth
        """A checkpoint is saved (train()'s of epoch self.epoch, or stop()'s): the history gets the rows up to it."""
        self.folder.append_history(self.rows)
        self.rows = []
        if self.writer:
            self.writer.flush()
        if self.stopped_run:
            self.folder.forget_stopped_run(self.stopped_run, stop_file_is_new=stopping)
            self.stopped_run = None  # pragma: no mutate: "" for None: both false, and stopped_run is only ever tested for truth
        if self.on_checkpoint and not stopping:
            self.on_checkpoint(self.epoch + 1)

    def close(self):
        """After training or a failure: the model's own saver and the signal handlers back (once)."""
        if self.saver is not None:
            self.model.saver, self.saver = self.saver, None
        if self.writer:
            self.writer.close()
            self.writer = None  # pragma: no mutate: "" for None: the writer is only tested for truth once closed
        for signum, handler in self._saved_handlers.items():
            signal.signal(signum, handler)
        self._saved_handlers = {}


class SaverThatTells(object):
    """A tf.train.Saver whose save() also calls saved(); everything else is the Saver's own."""

    def __init__(self, saver, saved):
        self._saver, self._saved = saver, saved

    def save(self, *args, **kwargs):
        path = self._saver.save(*args, **kwargs)
        self._saved()
        return path

    def __getattr__(self, name):
        return getattr(self._saver, name)
