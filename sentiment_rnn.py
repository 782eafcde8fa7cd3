"""Sentiment analysis of IMDb reviews with a many-to-one LSTM: the slides' SentimentRNN.

Read it beside the slides "Prepare Fixed-Length Sequences" (create_batch_generator),
"SentimentRNN: the constructor", "build() (1/4)" to "(4/4)", "train()" and
"predict()". Lines that differ from a slide say why in a comment; lines that are
not on the slides say so. Everything else (the command line, resuming, the loss
history) is in the folder beyond_slides/.
"""
# `python sentiment_rnn.py` (not on the slides): the command line reads its options before
# the slow TensorFlow import below.
if __name__ == '__main__':
    from beyond_slides import cli
    raise SystemExit(cli.SENTIMENT_COMMAND.main())

import os

import numpy as np

# changed: the slides' `import tensorflow as tf` is TensorFlow 1.x, which today is tf.compat.v1.
from beyond_slides.tf_setup import tf
# not on the slides: the same math, faster (fast=True), and the supervisor of a training run.
from beyond_slides import fast_lstm
from beyond_slides.supervisor import NO_SUPERVISOR


np.random.seed(123) # for reproducibility
## Function to generate minibatches:
def create_batch_generator(x, y=None, batch_size=64):
    n_batches = len(x)//batch_size
    x= x[:n_batches*batch_size]
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
                 model_dir='model/', fast=True):  # not on the slides: model_dir, fast
        self.n_words = n_words
        self.seq_len = seq_len
        self.lstm_size = lstm_size   ## number of hidden units
        self.num_layers = num_layers
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.embed_size = embed_size
        # not on the slides: the folder of the checkpoints (the slides write model/), and
        # fast=False to build exactly the slides' graph, without the speed-ups of beyond_slides/.
        self.model_dir = model_dir
        self.fast = fast
        self.g = tf.Graph()
        with self.g.as_default():
            tf.set_random_seed(123)
            self.build()
            # changed: relative paths in the checkpoint index, so a model folder still loads once moved.
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
        # changed: tf.contrib.rnn is gone from TensorFlow; the same cells are in tf.nn.rnn_cell.
        cells = tf.nn.rnn_cell.MultiRNNCell(
                [tf.nn.rnn_cell.DropoutWrapper(
                   tf.nn.rnn_cell.BasicLSTMCell(self.lstm_size),
                   output_keep_prob=tf_keepprob)
                 for i in range(self.num_layers)])
        ## Define the initial state:
        self.initial_state = cells.zero_state(
                 self.batch_size, tf.float32)
        print('  << initial state >> ', self.initial_state)
        # Create RNN using the RNN cells and their states
        # changed: with fast, the same cells and math in a faster loop (beyond_slides/fast_lstm.py).
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
        # changed: with fast, the same update in Adam's fused kernel (beyond_slides/fast_lstm.py).
        if self.fast:
            train_op = fast_lstm.fast_minimize(optimizer, cost, name='train_op')
        else:
            train_op = optimizer.minimize(cost, name='train_op')

    def train(self, X_train, y_train, num_epochs, supervisor=NO_SUPERVISOR):  # not on the slides: supervisor
        # not on the slides: supervisor (beyond_slides/supervisor.py) resumes a stopped or finished
        # run, shows progress, keeps the loss history and saves the run where it is on Ctrl-C.
        with tf.Session(graph=self.g) as sess:
            sess.run(self.init_op)
            iteration = 1
            for epoch in range(num_epochs):
                state = sess.run(self.initial_state)
                state = supervisor.restore_stopped_run(sess, epoch, state)  # not on the slides
                for batch_x, batch_y in create_batch_generator(
                            X_train, y_train, self.batch_size):
                    if supervisor.runs_batch(iteration):  # not on the slides: False for what was done
                        feed = {'tf_x:0': batch_x,
                                'tf_y:0': batch_y,
                                'tf_keepprob:0': 0.5,
                                self.initial_state : state}
                        loss, _, state = sess.run(
                                ['cost:0', 'train_op',
                                 self.final_state],
                                feed_dict=feed)
                        supervisor.after_batch(sess, epoch, iteration, loss, state)  # not on the slides
                        if iteration % 20 == 0:
                            print("Epoch: %d/%d Iteration: %d "
                                  "| Train loss: %.5f" % (
                                   epoch + 1, num_epochs,
                                   iteration, loss))
                    iteration +=1
                # changed: also after the last epoch, so that a run of any length can predict; never
                # in the epochs a resumed run skipped (that would overwrite their checkpoints).
                if supervisor.saves_epoch(epoch) and ((epoch+1)%10 == 0 or epoch+1 == num_epochs):
                    self.saver.save(sess,
                        os.path.join(self.model_dir, "sentiment-%d.ckpt" % epoch))  # changed: model_dir

    def predict(self, X_data, return_proba=False):
        preds = []
        with tf.Session(graph = self.g) as sess:
            self.saver.restore(
                sess, tf.train.latest_checkpoint(self.model_dir))  # changed: model_dir
            test_state = sess.run(self.initial_state)
            for ii, batch_x in enumerate(
                create_batch_generator(
                    X_data, None, batch_size=self.batch_size), 1):
                feed = {'tf_x:0' : batch_x,
                        'tf_keepprob:0': 1.0,
                        self.initial_state : test_state}
                if return_proba:
                    pred, test_state = sess.run(
                        ['probabilities:0', self.final_state],
                        feed_dict=feed)
                else:
                    pred, test_state = sess.run(
                        ['labels:0', self.final_state],
                        feed_dict=feed)
                preds.append(pred)
        return np.concatenate(preds)  # not on the slides: the slide ends with preds.append(pred)
