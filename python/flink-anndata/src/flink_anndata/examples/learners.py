"""Online learners for the training example, behind one small interface so that the Flink
operator is the same for every one of them:

- ``predict_proba(X)``: class probabilities of the cells of a CSR matrix (shape (cells, classes));
- ``learn(X, y)``: one update on a mini-batch (CSR matrix, int64 codes ``0..K-1``);
- ``params()``: the model's parameters as numpy arrays (to compare models, e.g. after a failover);
- picklable: the operator keeps the learner in Flink state, pickled.

``sgd`` is scikit-learn's ``SGDClassifier(loss="log_loss")`` (one-vs-rest logistic regression)
trained with ``partial_fit`` on the CSR batch. ``torch`` is a small PyTorch network (logistic
regression, or one hidden layer) trained with Adam on the batch as a dense tensor; it needs torch,
which this package does not depend on. ``none`` learns nothing (to measure the pipeline alone).
"""

from __future__ import annotations

import io
from typing import Dict

import numpy as np

LEARNERS = ("sgd", "torch", "none")


def _uniform(n: int, classes: int) -> np.ndarray:
    return np.full((n, classes), 1.0 / classes)


class SGDLearner:
    """scikit-learn's SGDClassifier (logistic loss, L2 penalty ``alpha``), ``partial_fit`` per batch.

    Deterministic: ``random_state`` is an int, so every ``partial_fit`` call draws the same
    shuffling seeds from the same state; the model after a given sequence of batches is the same
    bit for bit, which the failover test relies on. Before the first batch it predicts uniform
    probabilities (class 0 on ties), as a model with zero weights would.
    """

    name = "sgd"
    title = "scikit-learn SGDClassifier"

    def __init__(self, features: int, classes: int, seed: int = 0, alpha: float = 1e-4,
                 learning_rate: str = "optimal", eta0: float = 0.01, average: bool = False):
        from sklearn.linear_model import SGDClassifier

        self.features = features
        self.classes = classes
        self.model = SGDClassifier(loss="log_loss", penalty="l2", alpha=alpha, learning_rate=learning_rate,
                                   eta0=eta0, average=average, random_state=seed)
        self.fitted = False

    def predict_proba(self, X) -> np.ndarray:
        if not self.fitted:
            return _uniform(X.shape[0], self.classes)
        return self.model.predict_proba(X)

    def learn(self, X, y: np.ndarray) -> None:
        self.model.partial_fit(X, y, classes=np.arange(self.classes))
        self.fitted = True

    def params(self) -> Dict[str, np.ndarray]:
        if not self.fitted:
            return {}
        return {"coef": self.model.coef_, "intercept": self.model.intercept_}

    def describe(self) -> str:
        p = self.model.get_params()
        return (f"scikit-learn SGDClassifier(loss=log_loss, alpha={p['alpha']}, learning_rate={p['learning_rate']}"
                f"{', average' if p['average'] else ''}) partial_fit on CSR batches")


class TorchLearner:
    """A small PyTorch classifier: logistic regression (``hidden=0``) or one hidden ReLU layer,
    cross-entropy, Adam with learning rate ``lr``, one step per batch on the batch as a dense
    float32 tensor. Parameters are initialised from ``seed`` and the learner pickles as the
    ``state_dict`` of the network and of the optimiser (``torch.save`` bytes), so a restored
    learner continues exactly where the checkpointed one was. Runs on the CPU; the operator sets
    torch to one thread, which keeps the arithmetic in one order.
    """

    name = "torch"

    @property
    def title(self) -> str:
        return f"PyTorch {self.features}-{self.hidden}-{self.classes} MLP" if self.hidden else "PyTorch logistic regression"

    def __init__(self, features: int, classes: int, seed: int = 0, hidden: int = 64, lr: float = 1e-3,
                 l2: float = 1e-4):
        self.features, self.classes, self.seed, self.hidden, self.lr, self.l2 = features, classes, seed, hidden, lr, l2
        self._build()

    def _build(self):
        import torch

        torch.manual_seed(self.seed)
        if self.hidden > 0:
            self.net = torch.nn.Sequential(torch.nn.Linear(self.features, self.hidden), torch.nn.ReLU(),
                                           torch.nn.Linear(self.hidden, self.classes))
        else:
            self.net = torch.nn.Linear(self.features, self.classes)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=self.lr, weight_decay=self.l2)

    @staticmethod
    def _dense(X):
        import torch

        return torch.from_numpy(np.asarray(X.toarray(), dtype=np.float32))

    def predict_proba(self, X) -> np.ndarray:
        import torch

        with torch.no_grad():
            return torch.softmax(self.net(self._dense(X)), dim=1).double().numpy()

    def learn(self, X, y: np.ndarray) -> None:
        import torch

        self.opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(self.net(self._dense(X)), torch.from_numpy(y.astype(np.int64)))
        loss.backward()
        self.opt.step()

    def params(self) -> Dict[str, np.ndarray]:
        return {k: v.detach().numpy().copy() for k, v in self.net.state_dict().items()}

    def describe(self) -> str:
        shape = f"{self.features}-{self.hidden}-{self.classes} MLP" if self.hidden else "logistic regression"
        return f"PyTorch {shape}, Adam(lr={self.lr}, weight_decay={self.l2}) on dense batch tensors"

    def __getstate__(self):
        import torch

        buf = io.BytesIO()
        torch.save({"net": self.net.state_dict(), "opt": self.opt.state_dict()}, buf)
        state = {k: v for k, v in self.__dict__.items() if k not in ("net", "opt")}
        state["_torch"] = buf.getvalue()
        return state

    def __setstate__(self, state):
        import torch

        blob = state.pop("_torch")
        self.__dict__.update(state)
        self._build()
        saved = torch.load(io.BytesIO(blob), weights_only=True)
        self.net.load_state_dict(saved["net"])
        self.opt.load_state_dict(saved["opt"])


class NoLearner:
    """Learns nothing and predicts nothing: the operator then only decodes the batches (to CSR)
    and counts, which measures the pipeline without a model."""

    name = "none"
    title = "no learner"

    def __init__(self, features: int, classes: int, **_):
        self.features, self.classes = features, classes

    def predict_proba(self, X):
        return None

    def learn(self, X, y) -> None:
        pass

    def params(self) -> Dict[str, np.ndarray]:
        return {}

    def describe(self) -> str:
        return "no learner (batches are decoded to CSR and counted only)"


def make_learner(name: str, features: int, classes: int, seed: int, **options):
    """A learner by name (``sgd``, ``torch``, ``none``) with its options (unknown ones are errors)."""
    if name == "sgd":
        return SGDLearner(features, classes, seed=seed, **options)
    if name == "torch":
        try:
            import torch  # noqa: F401
        except ImportError as e:
            raise ImportError("--learner torch needs PyTorch (pip install torch); the sgd learner needs "
                              "only scikit-learn") from e
        return TorchLearner(features, classes, seed=seed, **options)
    if name == "none":
        return NoLearner(features, classes)
    raise ValueError(f"learner must be one of {', '.join(LEARNERS)}, was {name!r}")


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True
