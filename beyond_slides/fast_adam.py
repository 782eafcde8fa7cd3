"""Adam's update of the SentimentRNN in one fused kernel (not on the slides; the same math).

SentimentRNN(fast=True) builds its train_op with fast_minimize(); fast=False runs the
slides' `optimizer.minimize(cost, name='train_op')`. bench/bench_train.py measures both.
"""
from beyond_slides.tf_setup import tf


def fast_minimize(optimizer, loss, name):
    """optimizer.minimize(loss, name=name), with sparse gradients made dense first.

    The embedding's gradient arrives as IndexedSlices, and Adam's sparse path
    makes several passes over the whole embedding and both its slots (it decays
    every row, not just the looked-up ones). The dense gradient holds the same
    numbers (zeros elsewhere, repeated rows summed) and takes Adam's one fused
    kernel: the same update, faster (bench/bench_train.py).
    """
    grads_and_vars = optimizer.compute_gradients(loss)
    dense = [(tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g, v)
             for g, v in grads_and_vars]
    return optimizer.apply_gradients(dense, name=name)
