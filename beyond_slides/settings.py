"""The slides' hyperparameters: the defaults of the commands, the walkthrough and the notebook."""

# "Instantiate the SentimentRNN Class": embedding 256, LSTM 128, 1 layer, batch 100, learning
# rate 0.001, reviews cut to their last 200 words; trained for 40 epochs.
SENTIMENT_HPARAMS = {'seq_len': 200, 'lstm_size': 128, 'num_layers': 1, 'batch_size': 100,
                     'learning_rate': 0.001, 'embed_size': 256}
SENTIMENT_EPOCHS = 40

# "Creating and Training the CharRNN Model": batch 64, 100 steps, LSTM 128, the constructor's
# other defaults; trained for 100 epochs.
CHAR_HPARAMS = {'batch_size': 64, 'num_steps': 100, 'lstm_size': 128, 'num_layers': 1,
                'learning_rate': 0.001, 'keep_prob': 0.5, 'grad_clip': 5.0}
CHAR_EPOCHS = 100

# Each model's hyperparameters by its name, as a model folder's configuration names it.
HPARAMS = {'SentimentRNN': SENTIMENT_HPARAMS, 'CharRNN': CHAR_HPARAMS}
