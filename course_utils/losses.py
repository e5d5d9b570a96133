"""The two players' losses: binary cross-entropy on logits, as in the article.

The critic wants real faces labelled 1 and painted ones 0; the artist wants its paintings labelled 1.
``from_logits=True`` lets Keras fold the sigmoid into the loss (log-sum-exp), which stays finite even
for logits of ±100, where ``log(sigmoid(x))`` would round to ``log(0)``.
"""

import keras
import tensorflow as tf

cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)


def discriminator_loss(real_output, fake_output, real_label=1.0):
    """Critic's loss: how far it is from calling real faces real and painted faces fake.

    ``real_label`` below 1 (e.g. 0.9) is one-sided label smoothing: the critic is asked to be only
    90 % sure of real faces, which keeps it from growing over-confident and starving the artist of
    gradient. The article uses 1.0.
    """
    real_loss = cross_entropy(tf.ones_like(real_output) * real_label, real_output)
    fake_loss = cross_entropy(tf.zeros_like(fake_output), fake_output)
    return real_loss + fake_loss


def generator_loss(fake_output):
    """Artist's loss: how far the critic is from calling its paintings real."""
    return cross_entropy(tf.ones_like(fake_output), fake_output)
