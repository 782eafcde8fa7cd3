"""One training run of either model, as both commands run it (not on the slides).

    with TrainingRun(args, given, 'CharRNN', CHAR_HPARAMS) as run:   # the lock; --resume's settings
        ...the command's data steps, with run.hparams...
        run.begin(vocab, n_batches)            # the configuration saved, or checked on --resume
        rnn = CharRNN(...)
        log = run.train(rnn, 'language_modeling', lambda log: rnn.train(..., log=log))

The model folder (args.model_dir) then holds the checkpoints, model_config.json (the model,
its hyperparameters, its vocabulary and the epochs behind the latest checkpoint) and the loss
history; a run stopped with Ctrl-C goes on with --resume from where it stopped.
"""
from beyond_slides import model_files
from beyond_slides.cli import check_same_hparams, say_device
from beyond_slides.errors import DataError
from beyond_slides.model_folder import model_dir_lock, refuse_to_overwrite
from beyond_slides.training import HISTORY_NAME, TrainingLog, load_stop_point


# What a resumed run says when its data is not the saved model's.
OTHER_DATA = {'SentimentRNN': 'other reviews (another --data or --limit): give the same ones',
              'CharRNN': 'another text: give the same --data'}


class TrainingRun(object):
    def __init__(self, args, given, model_name, hparam_defaults):
        """args: the parsed options (model_dir, epochs, resume, logdir and the hyperparameters);
        given: the hyperparameters typed on the command line."""
        self.args, self.given, self.model_name = args, given, model_name
        self.hparams = {k: getattr(args, k) for k in hparam_defaults}
        self.saved_hparams, self.saved_vocab = None, None
        self.vocab, self.extra, self.n_batches, self.resume = None, {}, None, 0
        self._lock = model_dir_lock(args.model_dir)

    def __enter__(self):
        """Take the model folder (one run at a time); on --resume read the saved settings,
        which the options typed must not contradict; otherwise the folder must hold no model."""
        self._lock.__enter__()
        try:
            if self.args.resume:
                self.saved_hparams, self.saved_vocab = model_files.load_model_config(
                    self.args.model_dir, self.model_name)
                check_same_hparams(self.args.model_dir, self.saved_hparams, self.given)
                self.hparams.update({k: v for k, v in self.saved_hparams.items() if k in self.hparams})
            else:
                refuse_to_overwrite(self.args.model_dir)
        except BaseException as e:
            self._lock.__exit__(type(e), e, e.__traceback__)
            raise
        return self

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)

    def begin(self, vocab, n_batches, **extra):
        """The data is ready: a new run saves its configuration (epochs 0) before training, so
        that a run stopped early can resume; a resumed run checks the vocabulary and finds where
        to go on. extra: more hyperparameters to save (the SentimentRNN's n_words)."""
        self.vocab, self.n_batches, self.extra = vocab, n_batches, extra
        if self.args.resume:
            if self.saved_vocab != vocab:
                raise DataError('the model in %s was trained on %s to resume'
                                % (self.args.model_dir, OTHER_DATA[self.model_name]))
            self.resume = self.resume_point()
        else:
            self.record_epochs(0)
        say_device()

    def resume_point(self):
        """A run stopped by Ctrl-C goes on mid-epoch (its StopPoint), a finished one after the
        epochs its configuration records."""
        if 'epochs' not in self.saved_hparams:
            raise DataError('the model in %s does not record how many epochs it trained (it was trained '
                            'outside this command): give another --model-dir to train a new one'
                            % self.args.model_dir)
        resume = load_stop_point(self.args.model_dir) or self.saved_hparams['epochs']
        done = getattr(resume, 'epoch', resume)
        if done >= self.args.epochs:
            raise DataError('the model in %s has already trained %d epochs: give --epochs above that'
                            % (self.args.model_dir, done))
        return resume

    def record_epochs(self, epochs):
        model_files.save_model_config(self.args.model_dir, self.model_name,
                                      dict(self.hparams, epochs=epochs, **self.extra), self.vocab)

    def train(self, model, prefix, train):
        """train(log): the model's train() under a TrainingLog that records the epochs behind
        each checkpoint; returns the log."""
        with TrainingLog(model, self.args.model_dir, prefix, self.n_batches, self.args.epochs,
                         self.args.logdir, self.resume, on_checkpoint=self.record_epochs) as log:
            train(log)
        return log

    def say_where_it_is(self):
        """One line: where the model is; returns the command's exit status, 0."""
        print('The checkpoints, the vocabulary and the loss history (%s) are in %s'
              % (HISTORY_NAME, self.args.model_dir))
        return 0

    @property
    def first_epoch(self):
        """The first epoch (1-based) this run trains."""
        return getattr(self.resume, 'epoch', self.resume) + 1
