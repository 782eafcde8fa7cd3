"""The CharRNN's Saver (not on the slides): checkpoints that carry their vocabulary."""
import os

from beyond_slides import model_files
from beyond_slides.tf_setup import tf


class CharRNNSaver(tf.train.Saver):
    """tf.train.Saver that first writes the model's characters (CharRNN.chars) into the
    checkpoint's folder, or checks them against those already there: a checkpoint never
    stands without the vocabulary it was trained with (beyond_slides/model_files.py)."""

    def __init__(self, model, **kwargs):
        super().__init__(**kwargs)
        self.model = model

    def save(self, sess, save_path, *args, **kwargs):
        model_files.record_chars(self.model, os.path.dirname(save_path) or '.')
        return super().save(sess, save_path, *args, **kwargs)
