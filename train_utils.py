"""Training bookkeeping that is not on the slides: loss history, TensorBoard, a NaN guard,
and stopping with Ctrl-C (or SIGTERM) so that --resume goes on from exactly there.

The models' train() methods take an optional TrainingLog: they call
log.start_epoch() at the start of each epoch, log.step() after each mini-batch,
log.stop() when log.stop_requested is set, and log.saved() after each checkpoint.
"""
import csv
import math
import os
import signal
import sys
import threading

import numpy as np

from data_utils import DataError

HISTORY_NAME = 'loss_history.csv'
STOP_POINT_NAME = 'stopped_at.npz'


class TrainingStopped(Exception):
    """Training stopped on a signal after saving its state; exit_code is 128 + the signal."""

    def __init__(self, message, signum):
        super().__init__(message)
        self.exit_code = 128 + signum


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
    from tf_setup import tf
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


class TrainingLog(object):
    """Writes (epoch, iteration, loss) to model_dir/loss_history.csv at every checkpoint and,
    with logdir, the graph and the loss of every iteration as TensorBoard summaries.

    While it is open, Ctrl-C (SIGINT) and SIGTERM set stop_requested instead of
    killing the run; the train loop then calls stop(), which saves everything
    needed to resume at the next batch. A second Ctrl-C quits at once.
    resume: the StopPoint of the stopped run this one continues, or None.
    """

    def __init__(self, model_dir, graph, logdir=None, resume=None):
        self.path = os.path.join(model_dir, HISTORY_NAME)
        self.model_dir = model_dir
        self.resume = resume
        self.rows = []
        self.epoch_loss_sums = {}  # epoch (1-based) -> [sum of losses, number of batches]
        if resume:
            self.epoch_loss_sums[resume.epoch + 1] = [resume.loss_sum, resume.n_losses]
        self.stop_requested = 0  # the signal number once one has come
        self.writer = None
        if logdir:
            from tf_setup import tf
            self.writer = tf.summary.FileWriter(logdir, graph=graph)
        self._saved_handlers = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._saved_handlers[signum] = signal.signal(signum, self._on_signal)

    def _on_signal(self, signum, frame):
        if self.stop_requested:
            raise KeyboardInterrupt
        self.stop_requested = signum
        print('\nstopping: saving the model after this mini-batch (Ctrl-C again quits without saving)',
              file=sys.stderr, flush=True)

    def start_epoch(self, epoch, state):
        """(carried state, batches already done) at the start of epoch (0-based): the zero
        state and 0, or the stopped run's state and batch count when this run resumes it."""
        if self.resume and self.resume.epoch == epoch:
            from tf_setup import tf
            return tf.nest.pack_sequence_as(state, self.resume.state), self.resume.batch
        return state, 0

    def step(self, epoch, iteration, loss):
        if not math.isfinite(loss):
            self.close()
            raise DataError('the training loss became %s at epoch %d, iteration %d: lower '
                            '--learning-rate or --grad-clip; the last good checkpoint in %s is kept'
                            % (loss, epoch, iteration, self.model_dir))
        self.rows.append((epoch, iteration, float(loss)))
        total = self.epoch_loss_sums.setdefault(epoch, [0.0, 0])
        total[0] += float(loss)
        total[1] += 1
        if self.writer:
            from tf_setup import tf
            summary = tf.Summary(value=[tf.Summary.Value(tag='train_loss', simple_value=float(loss))])
            self.writer.add_summary(summary, iteration)

    def epoch_loss(self, epoch):
        """Mean training loss of epoch (1-based), over all its batches, before and after a stop."""
        total, n = self.epoch_loss_sums[epoch]
        return total / n

    def stop(self, sess, saver, prefix, epoch, batch, iteration, state):
        """Save the state after `batch` batches of `epoch` (0-based), then raise TrainingStopped.

        The stop point is written before the checkpoint: a run killed in between
        leaves the latest checkpoint unchanged, and load_stop_point ignores it.
        """
        from tf_setup import tf
        path = '%s-stopped-%d.ckpt' % (prefix, iteration)
        total, n = self.epoch_loss_sums.get(epoch + 1, [0.0, 0])
        StopPoint(os.path.basename(path), epoch, batch, tf.nest.flatten(state), total, n).save(
            self.model_dir)
        saver.save(sess, path)
        self._write_history()
        self._forget_resumed_stop_point(stop_file_is_new=True)
        signum = self.stop_requested
        self.close()
        raise TrainingStopped('stopped by %s at epoch %d after %d mini-batch(es); the model and '
                              'the optimizer state are saved in %s'
                              % (signal.Signals(signum).name, epoch + 1, batch, self.model_dir), signum)

    def saved(self):
        """After a checkpoint: append the rows since the last one to the history file."""
        self._write_history()
        self._forget_resumed_stop_point(stop_file_is_new=False)

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
        if not self.resume:
            return
        prefix = os.path.join(self.model_dir, self.resume.checkpoint)
        for name in os.listdir(self.model_dir):
            if os.path.join(self.model_dir, name).startswith(prefix + '.'):
                os.remove(os.path.join(self.model_dir, name))
        if not stop_file_is_new:
            os.remove(os.path.join(self.model_dir, STOP_POINT_NAME))
        self.resume = None

    def close(self):
        if self.writer:
            self.writer.close()
            self.writer = None
        for signum, handler in self._saved_handlers.items():
            signal.signal(signum, handler)
        self._saved_handlers = {}

