"""The errors a user can fix, and how each names what to change (not on the slides). A message
names a setting in braces, `{model_dir}`: str() says it as Python does (`model folder`), and the
commands' one line (cli.run_command) as the option (`--model-dir`)."""
import re

# Settings whose names are not simply `name` in Python and `--name` on the command line.
PYTHON_NAMES = {
    'data': 'load_movie_data(source=PATH)',
    'text': 'load_hamlet(source=PATH)',
    'model_dir': 'model folder',
    'resume': 'resume=True',
    'predict': 'the texts',
}
COMMAND_NAMES = {'data': '--data PATH', 'text': '--data PATH'}
SETTING = re.compile(r'\{([a-z_]+)\}')


class UserError(Exception):
    """A problem the user can fix; the message says which, and what to do."""

    def __str__(self):
        return SETTING.sub(lambda m: PYTHON_NAMES.get(m.group(1), m.group(1)), super().__str__())

    def command_line(self):
        return SETTING.sub(lambda m: COMMAND_NAMES.get(m.group(1), '--' + m.group(1).replace('_', '-')),
                           super().__str__())


class DataError(UserError):
    """A file, folder, option or piece of data is missing, corrupt or of the wrong kind."""


class SetupError(UserError):
    """The Python environment cannot run the slides' TensorFlow 1.x code (a package or a setting)."""


class ModelFolderInUse(UserError):
    """Another training run holds the model folder."""


class TrainingStopped(Exception):
    """Training stopped on a signal after saving its state; exit_code is 128 + the signal."""

    def __init__(self, message, signum):
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum
