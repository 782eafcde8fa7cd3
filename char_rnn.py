"""Character-level language modeling on Hamlet: the slides' CharRNN.

Read it beside the slides "Split x and y into Mini-Batches" (create_batch_generator),
"CharRNN: The constructor", "build() (1/4)" to "(4/4)", "train() (1/3)" to "(3/3)",
"sample() (1/2)", "(2/2)" and "get_top_char()". Lines that differ from a slide say
why in a comment; lines that are not on the slides say so. Everything else (the
command line, resuming, the loss history) is in the folder beyond_slides/.
"""
# `python char_rnn.py` (not on the slides): the command line reads its options before
# the slow TensorFlow import below.
if __name__ == '__main__':
    from beyond_slides import cli
    raise SystemExit(cli.CHAR_COMMAND.main())

import os

import numpy as np

# changed: the slides' `import tensorflow as tf` is TensorFlow 1.x, which today is tf.compat.v1.
from beyond_slides.tf_setup import tf
# not on the slides: the same math, faster (fast=True), the model folder that keeps the
# characters beside the checkpoints (data_utils maps them to ids), and the supervisor of a training run.
import data_utils
from beyond_slides import fast_lstm
from beyond_slides.model_folder import ModelFolder
from beyond_slides.supervisor import NO_SUPERVISOR


np.random.seed(123)
def create_batch_generator(data_x, data_y, num_steps):
    batch_size, tot_batch_length = data_x.shape
    num_batches = int(tot_batch_length/num_steps)
    for b in range(num_batches):
        yield (data_x[:, b*num_steps: (b+1)*num_steps],
               data_y[:, b*num_steps: (b+1)*num_steps])


class CharRNN(object):
    # not on the slides: the characters of the ids, in id order. The slides' sample() reads the
    # global chars; here they are handed over (`CharRNN.chars = chars`, or `rnn.chars = chars`),
    # saved beside the checkpoints, and read back from there by sample() in any other process.
    chars = None

    def __init__(self, num_classes, batch_size=64,
                 num_steps=100, lstm_size=128,
                 num_layers=1, learning_rate=0.001,
                 keep_prob=0.5, grad_clip=5,
                 sampling=False, fast=True):  # not on the slides: fast
        self.num_classes = num_classes
        self.batch_size = batch_size
        self.num_steps = num_steps
        self.lstm_size = lstm_size
        self.num_layers = num_layers
        self.learning_rate = learning_rate
        self.keep_prob = keep_prob
        self.grad_clip = grad_clip
        # not on the slides: fast=False builds exactly the slides' graph, without the
        # speed-ups of beyond_slides/.
        self.fast = fast
        self.g = tf.Graph()
        with self.g.as_default():
            tf.set_random_seed(123)
            self.build(sampling=sampling)
            # changed: relative paths in the checkpoint index, so a model folder still loads once moved.
            self.saver = tf.train.Saver(save_relative_paths=True)
            self.init_op = tf.global_variables_initializer()

    def build(self, sampling):
        if sampling == True:
            batch_size, num_steps = 1, 1
        else:
            batch_size = self.batch_size
            num_steps = self.num_steps

        tf_x = tf.placeholder(tf.int32,
                              shape=[batch_size, num_steps],
                              name='tf_x')
        tf_y = tf.placeholder(tf.int32,
                              shape=[batch_size, num_steps],
                              name='tf_y')
        tf_keepprob = tf.placeholder(tf.float32,
                              name='tf_keepprob')

        # One-hot encoding:
        x_onehot = tf.one_hot(tf_x, depth=self.num_classes)
        y_onehot = tf.one_hot(tf_y, depth=self.num_classes)

        ### Build the multi-layer RNN cells
        # changed: tf.contrib.rnn is gone from TensorFlow; the same cells are in tf.nn.rnn_cell.
        cells = tf.nn.rnn_cell.MultiRNNCell(
            [tf.nn.rnn_cell.DropoutWrapper(
                tf.nn.rnn_cell.BasicLSTMCell(self.lstm_size),
                output_keep_prob=tf_keepprob)
            for _ in range(self.num_layers)])

        ## Define the initial state
        self.initial_state = cells.zero_state(
                    batch_size, tf.float32)

        ## Run each sequence step through the RNN
        # changed: with fast, the same cells and math in a faster loop (beyond_slides/fast_lstm.py).
        dynamic_rnn = fast_lstm.dynamic_rnn if self.fast else tf.nn.dynamic_rnn
        lstm_outputs, self.final_state = dynamic_rnn(
                    cells, x_onehot,
                    initial_state=self.initial_state)

        print('  << lstm_outputs  >>', lstm_outputs)

        seq_output_reshaped = tf.reshape(
                    lstm_outputs,
                    shape=[-1, self.lstm_size],
                    name='seq_output_reshaped')

        logits = tf.layers.dense(
                    inputs=seq_output_reshaped,
                    units=self.num_classes,
                    activation=None,
                    name='logits')

        proba = tf.nn.softmax(
                    logits,
                    name='probabilities')
        print(proba)

        y_reshaped = tf.reshape(
                    y_onehot,
                    shape=[-1, self.num_classes],
                    name='y_reshaped')
        cost = tf.reduce_mean(
                    tf.nn.softmax_cross_entropy_with_logits(
                        logits=logits,
                        labels=y_reshaped),
                    name='cost')

        # Gradient clipping to avoid "exploding gradients"
        tvars = tf.trainable_variables()
        grads, _ = tf.clip_by_global_norm(
                    tf.gradients(cost, tvars),
                    self.grad_clip)
        optimizer = tf.train.AdamOptimizer(self.learning_rate)
        train_op = optimizer.apply_gradients(
                    zip(grads, tvars),
                    name='train_op')

    def train(self, train_x, train_y,
              num_epochs, ckpt_dir='./model/', supervisor=NO_SUPERVISOR):  # not on the slides: supervisor
        # not on the slides: supervisor (beyond_slides/supervisor.py) resumes a stopped or finished
        # run, shows progress, keeps the loss history and saves the run where it is on Ctrl-C.
        ## Create the checkpoint directory
        ## if does not exists
        if not os.path.exists(ckpt_dir):
            os.mkdir(ckpt_dir)
        ModelFolder(ckpt_dir).record_chars(self)  # not on the slides: the characters, saved
        with tf.Session(graph=self.g) as sess:
            sess.run(self.init_op)
            n_batches = int(train_x.shape[1]/self.num_steps)
            iterations = n_batches * num_epochs
            for epoch in range(num_epochs):
                # Train network
                new_state = sess.run(self.initial_state)
                new_state = supervisor.restore_stopped_run(sess, epoch, new_state)  # not on the slides
                loss = 0
                ## Minibatch generator:
                bgen = create_batch_generator(
                        train_x, train_y, self.num_steps)
                for b, (batch_x, batch_y) in enumerate(bgen, 1):
                    iteration = epoch*n_batches + b
                    if supervisor.runs_batch(iteration):  # not on the slides: False for what was done
                        feed = {'tf_x:0': batch_x,
                                'tf_y:0': batch_y,
                                'tf_keepprob:0': self.keep_prob,
                                self.initial_state : new_state}
                        batch_cost, _, new_state = sess.run(
                                ['cost:0', 'train_op',
                                    self.final_state],
                                feed_dict=feed)
                        # not on the slides:
                        supervisor.after_batch(sess, epoch, iteration, batch_cost, new_state)
                        if iteration % 10 == 0:
                            print('Epoch %d/%d Iteration %d'
                                  '| Training loss: %.4f' % (
                                  epoch + 1, num_epochs,
                                  iteration, batch_cost))
                ## Save the trained model
                if supervisor.saves_epoch(epoch):  # not on the slides: not the epochs resumed past
                    self.saver.save(
                            sess, os.path.join(
                                ckpt_dir, 'language_modeling.ckpt'))

    def sample(self, output_length,
               ckpt_dir, starter_seq="The "):
        # not on the slides: the slides read chars, char2int and int2char from globals; these are
        # the characters handed to the class (CharRNN.chars) or saved with the checkpoint.
        chars, char2int, int2char = data_utils.char_vocab(
            ModelFolder(ckpt_dir).chars_for_sampling(self), keep_order=True)
        observed_seq = [ch for ch in starter_seq]
        with tf.Session(graph=self.g) as sess:
            self.saver.restore(
                sess,
                tf.train.latest_checkpoint(ckpt_dir))
            ## 1: run the model using the starter sequence
            new_state = sess.run(self.initial_state)
            for ch in starter_seq:
                x = np.zeros((1, 1))
                x[0,0] = char2int[ch]
                feed = {'tf_x:0': x,
                        'tf_keepprob:0': 1.0,
                        self.initial_state: new_state}
                proba, new_state = sess.run(
                        ['probabilities:0', self.final_state],
                        feed_dict=feed)
            ch_id = get_top_char(proba, len(chars))
            observed_seq.append(int2char[ch_id])
            ## 2: run the model using the updated observed_seq
            for i in range(output_length):
                x[0,0] = ch_id
                feed = {'tf_x:0': x,
                        'tf_keepprob:0': 1.0,
                        self.initial_state: new_state}
                proba, new_state = sess.run(
                        ['probabilities:0', self.final_state],
                        feed_dict=feed)
                ch_id = get_top_char(proba, len(chars))
                observed_seq.append(int2char[ch_id])
        return ''.join(observed_seq)


def get_top_char(probas, char_size, top_n=5, temperature=1.0):  # not on the slides: temperature
    # changed: a float64 copy, so that the caller's probas stay as they were (the slide zeroes them
    # in place) and a small temperature does not underflow.
    p = np.squeeze(probas).astype(np.float64)
    # not on the slides: temperature. p ** (1/T), renormalized, is softmax(logits / T); computed
    # in logs so that a small T does not underflow to all zeros.
    if temperature != 1.0:
        log_p = np.log(np.maximum(p, 1e-300)) / temperature
        p = np.exp(log_p - log_p.max())
    p[np.argsort(p)[:-top_n]] = 0.0
    p = p / np.sum(p)
    ch_id = np.random.choice(char_size, 1, p=p)[0]
    return ch_id

