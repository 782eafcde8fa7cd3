"""Sentiment analysis of IMDb reviews with a many-to-one LSTM: the slides' SentimentRNN.

Read it beside the slides "Prepare Fixed-Length Sequences" (create_batch_generator)
and "SentimentRNN: the constructor", "build() (1/4)" to "(4/4)", "train()" and
"predict()". Lines that differ from a slide say why in a comment. The command
line (python sentiment_rnn.py --help) is in sentiment_cli.py.
"""
# The command line (not on the slides) is in sentiment_cli.py; it starts here so that it
# reads the options before the slow TensorFlow import below.
if __name__ == '__main__':
    import sentiment_cli
    raise SystemExit(sentiment_cli.main())

import tf_setup  # noqa: F401  (first: sets up TensorFlow 1.x, see tf_setup.py)
import os
import sys

import numpy as np
import pyprind

import fast_lstm
from tf_setup import tf, fast_minimize, latest_checkpoint_or_fail, restore


## Function to generate minibatches:
def create_batch_generator(x, y=None, batch_size=64):
    n_batches = len(x)//batch_size
    x = x[:n_batches*batch_size]
    if y is not None:
        y = y[:n_batches*batch_size]
    for ii in range(0, len(x), batch_size):
        if y is not None:
            yield x[ii:ii+batch_size], y[ii:ii+batch_size]
        else:
            yield x[ii:ii+batch_size]


class SentimentRNN(object):
    def __init__(self, n_words, seq_len=200,
                 lstm_size=256, num_layers=1, batch_size=64,
                 learning_rate=0.0001, embed_size=200,
                 model_dir='model/', fast=True):
        self.n_words = n_words
        self.seq_len = seq_len
        self.lstm_size = lstm_size ## number of hidden units
        self.num_layers = num_layers
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.embed_size = embed_size
        # Not on the slides: where checkpoints go (the slides: 'model/'), and
        # fast=False to build the slides' graph exactly, without our speed-ups.
        self.model_dir = model_dir
        self.fast = fast

        self.g = tf.Graph()
        with self.g.as_default():
            tf.set_random_seed(123)
            self.build()
            # Relative paths: a model folder still loads after it is moved.
            self.saver = tf.train.Saver(save_relative_paths=True)
            self.init_op = tf.global_variables_initializer()

    def build(self):
        ## Define the placeholders
        tf_x = tf.placeholder(tf.int32,
                    shape=(self.batch_size, self.seq_len),
                    name='tf_x')
        tf_y = tf.placeholder(tf.float32,
                    shape=(self.batch_size),
                    name='tf_y')
        tf_keepprob = tf.placeholder(tf.float32,
                    name='tf_keepprob')
        ## Create the embedding layer
        embedding = tf.Variable(
                    tf.random_uniform(
                        (self.n_words, self.embed_size),
                        minval=-1, maxval=1),
                    name='embedding')
        embed_x = tf.nn.embedding_lookup(
                    embedding, tf_x,
                    name='embeded_x')
        ## Define LSTM cell and stack them together
        # tf.contrib.rnn is gone; the same cells live in tf.nn.rnn_cell.
        cells = tf.nn.rnn_cell.MultiRNNCell(
                [tf.nn.rnn_cell.DropoutWrapper(
                   tf.nn.rnn_cell.BasicLSTMCell(self.lstm_size),
                   output_keep_prob=tf_keepprob)
                 for i in range(self.num_layers)])

        ## Define the initial state:
        self.initial_state = cells.zero_state(
                 self.batch_size, tf.float32)
        print('  << initial state >> ', self.initial_state)

        # fast: the same cells, weights and math in a faster loop (fast_lstm.py).
        dynamic_rnn = fast_lstm.dynamic_rnn if self.fast else tf.nn.dynamic_rnn
        lstm_outputs, self.final_state = dynamic_rnn(
                 cells, embed_x,
                 initial_state=self.initial_state)
        ## Note: lstm_outputs shape:
        ##  [batch_size, max_time, cells.output_size]
        print('\n  << lstm_output   >> ', lstm_outputs)
        print('\n  << final state   >> ', self.final_state)

        ## Apply a FC layer after on top of RNN output:
        logits = tf.layers.dense(
                 inputs=lstm_outputs[:, -1],
                 units=1, activation=None,
                 name='logits')

        logits = tf.squeeze(logits, name='logits_squeezed')
        print ('\n  << logits        >> ', logits)

        y_proba = tf.nn.sigmoid(logits, name='probabilities')
        predictions = {
            'probabilities': y_proba,
            'labels' : tf.cast(tf.round(y_proba), tf.int32,
                 name='labels')
        }
        print('\n  << predictions   >> ', predictions)

        ## Define the cost function
        cost = tf.reduce_mean(
                 tf.nn.sigmoid_cross_entropy_with_logits(
                 labels=tf_y, logits=logits),
                 name='cost')

        ## Define the optimizer
        optimizer = tf.train.AdamOptimizer(self.learning_rate)
        if self.fast:
            # Same update, one fused dense Adam step for the embedding: see tf_setup.fast_minimize.
            train_op = fast_minimize(optimizer, cost, name='train_op')
        else:
            train_op = optimizer.minimize(cost, name='train_op')

    def train(self, X_train, y_train, num_epochs, initial_epoch=0, log=None):
        # Not on the slides: initial_epoch > 0 continues from the latest checkpoint;
        # log (train_utils.TrainingLog) keeps the loss history and TensorBoard summaries,
        # and saves the run where it is when Ctrl-C stops it.
        with tf.Session(graph=self.g) as sess:
            if initial_epoch or (log and log.resume):  # (log.resume: also a stop in epoch 1)
                restore(self.saver, sess, self.latest_checkpoint())
            else:
                sess.run(self.init_op)
            n_batches = len(X_train) // self.batch_size
            for epoch in range(initial_epoch, num_epochs):
                state = sess.run(self.initial_state)
                # Not on the slides: a run stopped with Ctrl-C goes on from its batch and state.
                state, done = log.start_epoch(epoch, state) if log else (state, 0)
                iteration = epoch * n_batches + done + 1
                pbar = pyprind.ProgBar(n_batches - done, title='Epoch %d/%d' % (epoch + 1, num_epochs),
                                       stream=sys.stderr)

                for batch_x, batch_y in create_batch_generator(
                            X_train[done * self.batch_size:], y_train[done * self.batch_size:],
                            self.batch_size):
                    feed = {'tf_x:0': batch_x,
                            'tf_y:0': batch_y,
                            'tf_keepprob:0': 0.5,
                            self.initial_state : state}
                    loss, _, state = sess.run(
                            ['cost:0', 'train_op',
                             self.final_state],
                            feed_dict=feed)
                    pbar.update()
                    if log:
                        log.step(epoch + 1, iteration, loss)
                        if log.stop_requested:  # Ctrl-C: save this very point, then stop
                            log.stop(sess, self.saver, os.path.join(self.model_dir, 'sentiment'),
                                     epoch, iteration - epoch * n_batches, iteration, state)

                    if iteration % 20 == 0:
                        print("Epoch: %d/%d Iteration: %d "
                              "| Train loss: %.5f" % (
                               epoch + 1, num_epochs,
                               iteration, loss))
                    iteration +=1
                # Also after the last epoch of a run that is not a multiple of 10,
                # so that a short run can predict.
                if (epoch+1)%10 == 0 or epoch + 1 == num_epochs:
                    self.saver.save(sess,
                        os.path.join(self.model_dir, "sentiment-%d.ckpt" % epoch))
                    if log:
                        log.saved()

    def predict(self, X_data, return_proba=False, carry_state=True):
        # carry_state=False (not on the slides) starts every batch from the zero
        # state, so that a review's answer does not depend on the reviews before it.
        preds = []
        # The slides' generator drops the last partial batch (their accuracy counts
        # 24,900 of 25,000 reviews): pad it with empty reviews and drop their outputs.
        n_data = len(X_data)
        n_pad = -n_data % self.batch_size
        X_data = np.concatenate([X_data, np.zeros((n_pad, self.seq_len), dtype=X_data.dtype)])
        with tf.Session(graph = self.g) as sess:
            restore(self.saver,  # self.saver.restore, with a clear error for a bad checkpoint
                sess, self.latest_checkpoint())
            test_state = sess.run(self.initial_state)
            for ii, batch_x in enumerate(
                create_batch_generator(
                    X_data, None, batch_size=self.batch_size), 1):
                feed = {'tf_x:0' : batch_x,
                        'tf_keepprob:0': 1.0,
                        self.initial_state : test_state}
                if not carry_state:
                    del feed[self.initial_state]  # not fed: the zero state
                if return_proba:
                    pred, test_state = sess.run(
                        ['probabilities:0', self.final_state],
                        feed_dict=feed)
                else:
                    pred, test_state = sess.run(
                        ['labels:0', self.final_state],
                        feed_dict=feed)

                preds.append(np.atleast_1d(pred))  # squeeze makes a batch of 1 a scalar

        return np.concatenate(preds)[:n_data]

    def latest_checkpoint(self):
        """tf.train.latest_checkpoint(model_dir), or a clear error when there is none."""
        return latest_checkpoint_or_fail(self.model_dir)

