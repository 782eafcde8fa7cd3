"""One training run of either model in its model folder (not on the slides), the same for the commands, the
notebook, the exercises and the tests. `with TrainingRun(...)` takes the folder (and on resume the saved
settings) before the data is read; then begin() saves or checks model_config.json, and supervisor() is what
train() is handed (beyond_slides/char_command.py: train). supervised_training does all three for a model built
already (the notebook's). A run stopped by Ctrl-C goes on with resume=True.
"""
import contextlib
import sys

from beyond_slides.errors import DataError
from beyond_slides.model_folder import ModelFolder, ResumePoint
from beyond_slides.settings import KINDS
from beyond_slides.supervisor import Supervisor
from beyond_slides.tf_setup import device_line


class TrainingRun(object):
    def __init__(self, folder, model_name, hparams, epochs, resume=False, given=None, logdir=None, progress=True,
                 supervisor_class=None):
        """hparams: the model's (on resume the saved ones, which those `given`, by default all, must equal: the
        command line gives those typed); epochs: the number the model has trained when the run ends;
        supervisor_class: default Supervisor (a test's records or stops)."""
        self.folder, self.model_name, self.epochs, self.resume = folder, model_name, epochs, resume
        self.hparams, self.given = dict(hparams), dict(hparams if given is None else given)
        self.logdir, self.progress, self.supervisor_class = logdir, progress, supervisor_class or Supervisor
        self.start = None  # on resume, where the run goes on (begin())
        self.saved_hparams = self.saved_vocab = self.vocab = self.n_batches = None  # __enter__ and begin() set them

    def __enter__(self):
        """Never the shipped model's folder (refused before the lock, which writes a file there); then the lock, and
        on resume the saved settings, which the given ones must not contradict, else a folder without a model."""
        self.folder.refuse_shipped()
        with contextlib.ExitStack() as lock:
            lock.enter_context(self.folder.lock())
            if self.resume:
                self.saved_hparams, self.saved_vocab = self.folder.load_config(self.model_name)
                self.folder.check_same_hparams(self.saved_hparams, self.given)
                self.hparams = self.folder.require_hparams(self.saved_hparams, self.hparams)  # the graph's
            else:
                self.folder.refuse_to_overwrite()
            self._lock = lock.pop_all()  # kept until __exit__; let go at once if a check above failed
        return self

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)

    def begin(self, vocab, n_batches, **extra):
        """The data is ready: a new run saves its configuration (epochs 0: stopped early, it can resume), a resumed
        one checks the vocabulary and finds where to go on. extra: more to save (the SentimentRNN's n_words)."""
        self.vocab, self.n_batches, self.extra = vocab, n_batches, extra
        if self.resume:
            if self.saved_vocab != vocab:
                raise DataError('the model in %s was trained on %s to resume'
                                % (self.folder.path, KINDS[self.model_name].other_data))
            if 'epochs' not in self.saved_hparams:
                raise DataError('the model in %s does not record how many epochs it trained (it was trained '
                                'outside a training run): give another {model_dir} to train a new one'
                                % self.folder.path)
            self.start = self.folder.stop_point() or ResumePoint(epoch=self.saved_hparams['epochs'])
            if self.start.epoch >= self.epochs:
                raise DataError('the model in %s has already trained %d epochs: give {epochs} above that'
                                % (self.folder.path, self.start.epoch))
        else:
            self.record_epochs(0)
        print(device_line(), file=sys.stderr)

    def record_epochs(self, epochs):
        self.folder.save_config(self.model_name, dict(self.hparams, epochs=epochs, **self.extra), self.vocab)

    def supervisor(self, model):
        return self.supervisor_class(model, self.folder, KINDS[self.model_name].checkpoint_prefix, self.n_batches,
                                     self.epochs, self.start, self.logdir, on_checkpoint=self.record_epochs,
                                     progress=self.progress)

    @property
    def first_epoch(self):
        return (self.start.epoch if self.start else 0) + 1


@contextlib.contextmanager
def supervised_training(model, model_dir, epochs, vocab, n_batches, resume=False, logdir=None, progress=True,
                        supervisor_class=None, **extra):
    """A TrainingRun of a model built already, with its own hyperparameters, into model_dir (its model_dir,
    or the ckpt_dir of its train()): yields the supervisor for model.train(). extra: as for begin()."""
    name = type(model).__name__
    hparams = KINDS[name].hparams_of(model)
    with TrainingRun(ModelFolder(model_dir), name, hparams, epochs, resume, logdir=logdir, progress=progress,
                     supervisor_class=supervisor_class) as run:
        run.begin(vocab, n_batches, **extra)
        with run.supervisor(model) as supervisor:
            yield supervisor
