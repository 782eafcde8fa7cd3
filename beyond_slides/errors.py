"""The errors a user can fix, and how each one names what to change (not on the slides).

An error's message may name a setting in braces, `{model_dir}`, `{data}`, `{learning_rate}`:
raised in Python (a notebook, the book's script), the message says it as Python does
(`model folder`, `load_movie_data(source=PATH)`, `learning_rate`); the commands print the same
error as one line `error: ...` with the option instead (`--model-dir`, `--data PATH`,
`--learning-rate`) and exit with status 2 (beyond_slides/cli.py: run_command).
"""
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


def name_settings(message, command_line):
    """The message with each {setting} named as Python (command_line=False) or the commands call it."""
    if command_line:
        return SETTING.sub(lambda m: COMMAND_NAMES.get(m.group(1), '--' + m.group(1).replace('_', '-')),
                           message)
    return SETTING.sub(lambda m: PYTHON_NAMES.get(m.group(1), m.group(1)), message)


class UserError(Exception):
    """A problem the user can fix; the message says which, and what to do."""

    def __str__(self):
        return name_settings(super().__str__(), command_line=False)  # pragma: no mutate: command_line=None is false like command_line=False

    def command_line(self):
        return name_settings(super().__str__(), command_line=True)


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
