"""Training bookkeeping that is not on the slides: loss history, TensorBoard, a NaN guard.

The models' train() methods take an optional TrainingLog and call log.step()
after each mini-batch and log.saved() after each checkpoint.
"""
import csv
import math
import os

from data_utils import DataError

HISTORY_NAME = 'loss_history.csv'


class TrainingLog(object):
    """Writes (epoch, iteration, loss) to model_dir/loss_history.csv at every checkpoint and,
    with logdir, the graph and the loss of every iteration as TensorBoard summaries."""

    def __init__(self, model_dir, graph, logdir=None):
        self.path = os.path.join(model_dir, HISTORY_NAME)
        self.model_dir = model_dir
        self.rows = []
        self.writer = None
        if logdir:
            from tf_setup import tf
            self.writer = tf.summary.FileWriter(logdir, graph=graph)

    def step(self, epoch, iteration, loss):
        if not math.isfinite(loss):
            self.close()
            raise DataError('the training loss became %s at epoch %d, iteration %d: lower '
                            '--learning-rate or --grad-clip; the last good checkpoint in %s is kept'
                            % (loss, epoch, iteration, self.model_dir))
        self.rows.append((epoch, iteration, float(loss)))
        if self.writer:
            from tf_setup import tf
            summary = tf.Summary(value=[tf.Summary.Value(tag='train_loss', simple_value=float(loss))])
            self.writer.add_summary(summary, iteration)

    def saved(self):
        """Append the rows since the last checkpoint to the history file."""
        new_file = not os.path.exists(self.path)
        with open(self.path, 'a', newline='') as f:
            out = csv.writer(f)
            if new_file:
                out.writerow(['epoch', 'iteration', 'loss'])
            out.writerows(self.rows)
        self.rows = []
        if self.writer:
            self.writer.flush()

    def close(self):
        if self.writer:
            self.writer.close()
            self.writer = None
