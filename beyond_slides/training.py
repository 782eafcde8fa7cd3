"""Training bookkeeping that is not on the slides: resuming, progress bars, the loss history,
TensorBoard, a NaN guard, and stopping with Ctrl-C (or SIGTERM) so that --resume goes on
from exactly there.

The models' train() methods take a log (NO_LOG when none is given) and ask it four
things, each marked "not on the slides":

    state = log.restore_stopped_run(sess, epoch, state)   # the state the epoch starts from
    if log.runs_batch(iteration):                         # False for what a resumed run did
        ...the slide's mini-batch...
        log.after_batch(sess, epoch, iteration, loss, state)
    if log.saves_epoch(epoch):                            # False for the epochs it skipped
        self.saver.save(...)

A TrainingLog is a context manager: `with TrainingLog(...) as log: rnn.train(..., log=log)`.
"""
import csv
import math
import os
import signal
import sys
import threading

import numpy as np
import pyprind

from beyond_slides.errors import DataError, TrainingStopped

HISTORY_NAME = 'loss_history.csv'
STOP_POINT_NAME = 'stopped_at.npz'


class StopPoint(object):
    """Where a stopped run was: its checkpoint, epoch (0-based), batches done in that epoch,
    the carried LSTM state and the epoch's running loss."""

    def __init__(self, checkpoint, epoch, batch, state, loss_sum, n_losses):
        self.checkpoint, self.epoch, self.batch = checkpoint, int(epoch), int(batch)
        self.state, self.loss_sum, self.n_losses = list(state), float(loss_sum), int(n_losses)

    def save(self, model_dir):
        arrays = {'state_%d' % i: a for i, a in enumerate(self.state)}
        tmp = os.path.join(model_dir, STOP_POINT_NAME + '.tmp')
        with open(tmp, 'wb') as f:
            np.savez(f, checkpoint=self.checkpoint, epoch=self.epoch, batch=self.batch,
                     loss_sum=self.loss_sum, n_losses=self.n_losses, **arrays)
        os.replace(tmp, os.path.join(model_dir, STOP_POINT_NAME))


def load_stop_point(model_dir):
    """The StopPoint of a stopped run in model_dir, or None.

    None also when the latest checkpoint is not the stopped run's (it trained on
    after the stop, or died before its checkpoint was written): then the run
    resumes from its latest whole-epoch checkpoint.
    """
    from beyond_slides.tf_setup import tf
    path = os.path.join(model_dir, STOP_POINT_NAME)
    latest = tf.train.latest_checkpoint(model_dir)
    if not os.path.exists(path) or latest is None:
        return None
    try:
        with np.load(path) as z:
            n_state = sum(1 for k in z.files if k.startswith('state_'))
            point = StopPoint(str(z['checkpoint']), z['epoch'], z['batch'],
                              [z['state_%d' % i] for i in range(n_state)], z['loss_sum'], z['n_losses'])
    except Exception as e:
        raise DataError('%s is damaged (%s): delete it to resume from the last whole-epoch checkpoint'
                        % (path, e)) from e
    if point.checkpoint != os.path.basename(latest):
        return None
    return point


class NoLog(object):
    """The log of a train() call that is given none: the slides' training, nothing more."""

    def restore_stopped_run(self, sess, epoch, state):
        return state

    def runs_batch(self, iteration):
        return True

    def after_batch(self, sess, epoch, iteration, loss, state):
        pass

    def saves_epoch(self, epoch):
        return True


NO_LOG = NoLog()


class TrainingLog(NoLog):
    """What the command line (and the notebook) hands to a model's train().

    - resume: epochs already trained (an int), or the StopPoint of a run stopped
      mid-epoch; the run then restores the latest checkpoint and skips what was done.
    - a progress bar per epoch (on stderr; progress=False: none) and a NaN guard.
    - model_dir/loss_history.csv gets (epoch, iteration, loss) of every mini-batch up
      to each checkpoint, so the history always matches the latest checkpoint;
      on_checkpoint(epochs) is called after each checkpoint train() saves (the command
      line records the epoch count); with logdir, TensorBoard summaries too.
    - while it is open, Ctrl-C (SIGINT) and SIGTERM set stop_requested instead of
      killing the run: after its mini-batch, the run saves everything needed to go on
      from the next one (stop()). A second Ctrl-C quits at once.

    Checkpoints are seen where they are saved: while the log is open, the model's saver
    is wrapped (SaverThatTells), so that each save() of train() reaches the log.
    """

    def __init__(self, model, model_dir, prefix, n_batches, num_epochs, logdir=None, resume=0,
                 on_checkpoint=None, progress=True):
        self.model, self.model_dir, self.prefix = model, model_dir, prefix
        self.progress = progress
        self.n_batches, self.num_epochs = n_batches, num_epochs
        self.on_checkpoint = on_checkpoint
        self.stop_point = resume if isinstance(resume, StopPoint) else None
        self.resume_epoch = self.stop_point.epoch if self.stop_point else resume
        self.done_iterations = self.resume_epoch * n_batches + (self.stop_point.batch if self.stop_point else 0)
        self.logdir = logdir
        self.path = os.path.join(model_dir, HISTORY_NAME)
        self.rows = []
        self.epoch_loss_sums = {}  # epoch (1-based) -> [sum of losses, number of batches]
        if self.stop_point:
            self.epoch_loss_sums[self.stop_point.epoch + 1] = [self.stop_point.loss_sum,
                                                               self.stop_point.n_losses]
        self.epoch = None
        self.bar = None
        self.stop_requested = 0  # the signal number once one has come
        self.writer = None
        self.saver = None  # the model's own saver, while the log is open
        self._saved_handlers = {}

    def __enter__(self):
        if self.logdir:
            from beyond_slides.tf_setup import tf
            self.writer = tf.summary.FileWriter(self.logdir, graph=self.model.g)
        self.saver = self.model.saver
        self.model.saver = SaverThatTells(self.saver, self._checkpoint_saved)
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._saved_handlers[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _on_signal(self, signum, frame):
        if self.stop_requested:
            raise KeyboardInterrupt
        self.stop_requested = signum
        print('\nstopping: saving the model after this mini-batch (Ctrl-C again quits without saving)',
              file=sys.stderr, flush=True)

    def restore_stopped_run(self, sess, epoch, state):
        """The state epoch (0-based) starts from. At a resumed run's first epoch the latest
        checkpoint is restored first; in the epoch where a run stopped, its carried state
        replaces the zero state."""
        if self.epoch is None and (self.resume_epoch or self.stop_point):
            from beyond_slides.model_folder import checkpoint_errors
            from beyond_slides.tf_setup import tf
            with checkpoint_errors(self.model_dir):  # only the restore: later errors are not the checkpoint's
                self.saver.restore(sess, tf.train.latest_checkpoint(self.model_dir))
        self.epoch = epoch
        if epoch < self.resume_epoch:
            return state
        batches = self.n_batches
        if self.stop_point and epoch == self.stop_point.epoch:
            from beyond_slides.tf_setup import tf
            state = tf.nest.pack_sequence_as(state, self.stop_point.state)
            batches -= self.stop_point.batch
        if self.progress:
            self.bar = pyprind.ProgBar(max(batches, 1), title='Epoch %d/%d' % (epoch + 1, self.num_epochs),
                                       stream=sys.stderr)
        return state

    def runs_batch(self, iteration):
        """False for the mini-batches (counted from 1) a resumed run trained before it stopped."""
        return iteration > self.done_iterations

    def saves_epoch(self, epoch):
        """False for the epochs a resumed run skips whole: it saves no checkpoint for them
        (that would overwrite theirs)."""
        return epoch >= self.resume_epoch

    def after_batch(self, sess, epoch, iteration, loss, state):
        """Record the mini-batch's loss; stop the run here if a signal asked for it."""
        if not math.isfinite(loss):
            self.close()
            raise DataError('the training loss became %s at epoch %d, iteration %d: lower '
                            '--learning-rate or --grad-clip; the last good checkpoint in %s is kept'
                            % (loss, epoch + 1, iteration, self.model_dir))
        self.rows.append((epoch + 1, iteration, float(loss)))
        total = self.epoch_loss_sums.setdefault(epoch + 1, [0.0, 0])
        total[0] += float(loss)
        total[1] += 1
        if self.writer:
            from beyond_slides.tf_setup import tf
            summary = tf.Summary(value=[tf.Summary.Value(tag='train_loss', simple_value=float(loss))])
            self.writer.add_summary(summary, iteration)
        if self.bar and self.bar.cnt < self.bar.max_iter:
            self.bar.update()
        if self.stop_requested:
            self.stop(sess, epoch, iteration, state)

    def epoch_loss(self, epoch):
        """Mean training loss of epoch (1-based), over all its batches, before and after a stop."""
        total, n = self.epoch_loss_sums[epoch]
        return total / n

    def stop(self, sess, epoch, iteration, state):
        """Save the run after `iteration` (in epoch, 0-based), then raise TrainingStopped.

        The stop point is written before the checkpoint: a run killed in between
        leaves the latest checkpoint unchanged, and load_stop_point ignores it.
        """
        from beyond_slides.tf_setup import tf
        batch = iteration - epoch * self.n_batches
        path = os.path.join(self.model_dir, '%s-stopped-%d.ckpt' % (self.prefix, iteration))
        total, n = self.epoch_loss_sums[epoch + 1]  # after_batch has just added this mini-batch
        StopPoint(os.path.basename(path), epoch, batch, tf.nest.flatten(state), total, n).save(
            self.model_dir)
        self.saver.save(sess, path)  # the model's own saver: no epoch's checkpoint
        self._write_history()
        self._forget_resumed_stop_point(stop_file_is_new=True)
        signum = self.stop_requested
        self.close()
        raise TrainingStopped('stopped by %s at epoch %d after %d mini-batch(es); the model and '
                              'the optimizer state are saved in %s'
                              % (signal.Signals(signum).name, epoch + 1, batch, self.model_dir), signum)

    def _checkpoint_saved(self):
        """train() saved the checkpoint of epoch self.epoch: the history gets the rows up to
        it, on_checkpoint the number of epochs behind it."""
        self._write_history()
        self._forget_resumed_stop_point(stop_file_is_new=False)
        if self.on_checkpoint:
            self.on_checkpoint(self.epoch + 1)

    def _write_history(self):
        new_file = not os.path.exists(self.path)
        with open(self.path, 'a', newline='') as f:
            out = csv.writer(f)
            if new_file:
                out.writerow(['epoch', 'iteration', 'loss'])
            out.writerows(self.rows)
        self.rows = []
        if self.writer:
            self.writer.flush()

    def _forget_resumed_stop_point(self, stop_file_is_new):
        """Once a newer checkpoint is saved, the stopped run's checkpoint is of no more use,
        nor is its stop-point file, unless stop() has just replaced it with a new one."""
        if not self.stop_point:
            return
        prefix = os.path.join(self.model_dir, self.stop_point.checkpoint)
        for name in os.listdir(self.model_dir):
            if os.path.join(self.model_dir, name).startswith(prefix + '.'):
                os.remove(os.path.join(self.model_dir, name))
        if not stop_file_is_new:
            os.remove(os.path.join(self.model_dir, STOP_POINT_NAME))
        self.stop_point = None

    def close(self):
        """After training, or when it failed: the model gets its own saver back and the
        signal handlers are given back. Closing again does nothing."""
        if self.saver is not None:
            self.model.saver = self.saver
            self.saver = None
        if self.writer:
            self.writer.close()
            self.writer = None
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
