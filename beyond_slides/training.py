"""One training run of either model in its model folder (not on the slides), the same for both
commands, the notebook, the exercises and the tests. The commands take the folder first, so that
a folder in use or a resume that cannot be is said before the data is read:

    run = TrainingRun(ModelFolder(path), 'CharRNN', hparams, epochs=100)
    with run:                                      # the folder's lock; on resume, the saved settings
        ...the slides' data steps, with run.hparams...
        run.begin(chars, n_batches)                # model_config.json saved, or checked on resume
        rnn = CharRNN(len(chars), **run.hparams)
        with run.supervisor(rnn) as supervisor:
            rnn.train(train_x, train_y, num_epochs=run.epochs, ckpt_dir=path, supervisor=supervisor)

A model built already (in a notebook) takes the same run in one call:

    with supervised_training(rnn, path, 40, word_to_int, n_batches, n_words=n_words) as supervisor:
        rnn.train(X_train, y_train, num_epochs=40, supervisor=supervisor)

A run stopped with Ctrl-C goes on with resume=True from where it stopped.
"""
import contextlib
import sys

from beyond_slides.errors import DataError
from beyond_slides.model_folder import ModelFolder
from beyond_slides.settings import KINDS
from beyond_slides.supervisor import Supervisor
from beyond_slides.tf_setup import device_line


class TrainingRun(object):
    def __init__(self, folder, model_name, hparams, epochs, resume=False, given=None, logdir=None,
                 progress=True, supervisor_class=None):
        """hparams: the model's (on resume, the saved ones replace them, and those in `given`, by default
        all, must equal them: the command line gives only those typed); epochs: the epochs the model has
        trained when the run ends; supervisor_class: default Supervisor (a test's records or stops)."""
        self.folder, self.model_name, self.epochs, self.resume = folder, model_name, epochs, resume
        self.hparams = dict(hparams)
        self.given = dict(hparams) if given is None else dict(given)
        self.logdir, self.progress, self.supervisor_class = logdir, progress, supervisor_class or Supervisor
        self.saved_hparams, self.saved_vocab = None, None
        self.vocab, self.extra, self.n_batches, self.start = None, {}, None, None
        self._lock = folder.lock()

    def __enter__(self):
        """Take the model folder (one run at a time); on resume read the saved settings, which the
        given ones must not contradict; otherwise the folder must hold no model. Never the shipped
        model's folder: refused before the lock, which would write a file there."""
        self.folder.refuse_shipped()
        self._lock.__enter__()
        try:
            if self.resume:
                self.saved_hparams, self.saved_vocab = self.folder.load_config(self.model_name)
                self.folder.check_same_hparams(self.saved_hparams, self.given)
                self.hparams = self.folder.require_hparams(self.saved_hparams, self.hparams)  # the graph's
            else:
                self.folder.refuse_to_overwrite()
        except BaseException as e:
            self._lock.__exit__(type(e), e, e.__traceback__)  # pragma: no mutate: None for the exception: contextlib makes a new one to throw into the lock's generator and swallows it again; __enter__ then raises the first
            raise
        return self

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)

    def begin(self, vocab, n_batches, **extra):
        """The data is ready: a new run saves its configuration (epochs 0) before training, so that a
        run stopped early can resume; a resumed run checks the vocabulary and finds where to go on.
        extra: more hyperparameters to save (the SentimentRNN's n_words). Says what runs the graphs."""
        self.vocab, self.n_batches, self.extra = vocab, n_batches, extra
        if self.resume:
            if self.saved_vocab != vocab:
                raise DataError('the model in %s was trained on %s to resume'
                                % (self.folder.path, KINDS[self.model_name].other_data))
            if 'epochs' not in self.saved_hparams:
                raise DataError('the model in %s does not record how many epochs it trained (it was trained '
                                'outside a training run): give another {model_dir} to train a new one'
                                % self.folder.path)
            start = self.folder.resume_point(self.saved_hparams['epochs'])
            if start.epoch >= self.epochs:
                raise DataError('the model in %s has already trained %d epochs: give {epochs} above that'
                                % (self.folder.path, start.epoch))
            self.start = start
        else:
            self.record_epochs(0)
        print(device_line(), file=sys.stderr)

    def record_epochs(self, epochs):
        """The configuration, with the epochs behind the latest checkpoint."""
        self.folder.save_config(self.model_name, dict(self.hparams, epochs=epochs, **self.extra), self.vocab)

    def supervisor(self, model):
        return self.supervisor_class(model, self.folder, KINDS[self.model_name].checkpoint_prefix, self.n_batches,
                                     self.epochs, self.start, self.logdir, on_checkpoint=self.record_epochs,
                                     progress=self.progress)

    @property
    def first_epoch(self):
        """The first epoch (1-based) this run trains."""
        return (self.start.epoch if self.start else 0) + 1


@contextlib.contextmanager
def supervised_training(model, model_dir, epochs, vocab, n_batches, resume=False, logdir=None, progress=True,
                        supervisor_class=None, **extra):
    """A TrainingRun of a model built already, into model_dir (its model_dir, or the ckpt_dir its
    train() is given): yields the supervisor to hand to model.train(). Its hyperparameters are the
    model's own; extra: more to save (the SentimentRNN's n_words)."""
    name = type(model).__name__
    hparams = {k: getattr(model, k) for k in KINDS[name].hparams}
    with TrainingRun(ModelFolder(model_dir), name, hparams, epochs, resume=resume, logdir=logdir,
                     progress=progress, supervisor_class=supervisor_class) as run:
        run.begin(vocab, n_batches, **extra)
        with run.supervisor(model) as supervisor:
            yield supervisor
