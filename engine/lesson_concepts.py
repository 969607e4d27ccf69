"""The course's 34 concepts (issue 12), by number: what a lesson's `concepts` list refers to.

Plain data: the lesson browser, the lesson panel and `main.py lessons` show these names beside the
numbers, and engine/lessons.py refuses a lesson that names a number not listed here.
"""

from __future__ import annotations

CONCEPTS: dict[int, str] = {
    1: "The perceptron and its learning rule",
    2: "XOR needs a hidden layer",
    3: "Universal approximation",
    4: "Activation functions",
    5: "Softmax and cross-entropy",
    6: "Losses compared",
    7: "Backpropagation as gradient flow",
    8: "Vanishing gradients",
    9: "Exploding gradients and clipping",
    10: "Zero initialisation and symmetry",
    11: "Xavier and He initialisation",
    12: "Batch, mini-batch and stochastic descent",
    13: "Momentum and Nesterov",
    14: "Adaptive optimizers",
    15: "Learning-rate decay",
    16: "Learning rate too small or too big",
    17: "L1 regularisation",
    18: "L2 regularisation and weight decay",
    19: "Dropout",
    20: "Early stopping",
    21: "Input noise and augmentation",
    22: "Batch normalisation",
    23: "Overfitting and underfitting",
    24: "Weight-space symmetry",
    25: "The update/weight ratio",
    26: "Convolutional networks",
    27: "Recurrent networks and LSTM",
    28: "Residual connections",
    29: "Autoencoders",
    30: "Denoising autoencoders",
    31: "Sparse autoencoders",
    32: "Contractive autoencoders",
    33: "Variational autoencoders",
    34: "Generative adversarial networks",
}


def concept_name(number: int) -> str:
    """The concept's name; KeyError for a number the course does not have."""
    return CONCEPTS[number]


def concept_label(number: int) -> str:
    """`8: Vanishing gradients`: the number a learner can look up, and what it means."""
    return f"{number}: {CONCEPTS[number]}"


def concepts_line(numbers: tuple[int, ...] | list[int], separator: str = "; ") -> str:
    """Several concepts on one line, in the lesson's order."""
    return separator.join(concept_label(n) for n in numbers)
