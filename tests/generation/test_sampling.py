import torch

from composer.generation.request import Sampling
from composer.generation.sampling import filter_logits, sample_stream


class TinyGRU(torch.nn.Module):
    """A random-weight step model (fixed seed) with the StepModel interface."""

    def __init__(self, vocab=12, hidden=16):
        super().__init__()
        torch.manual_seed(0)
        self.vocab_size = vocab
        self.emb = torch.nn.Embedding(vocab, hidden)
        self.rnn = torch.nn.GRU(hidden, hidden, batch_first=True)
        self.out = torch.nn.Linear(hidden, vocab)
        self.steps = 0

    def init_state(self, batch):
        return torch.zeros(1, batch, self.rnn.hidden_size)

    def step(self, tokens, state):
        self.steps += 1
        y, state = self.rnn(self.emb(tokens), state)
        return self.out(y[:, -1]), state


class CountDecoder:
    """Accepts ``n`` tokens, reports every ``every``-th; optionally allows only ``only``."""

    def __init__(self, n, every=4, only=None, vocab=12):
        self.tokens, self.n, self.every = [], n, every
        self.mask = None
        if only is not None:
            self.mask = torch.zeros(vocab, dtype=torch.bool)
            self.mask[list(only)] = True

    @property
    def finished(self):
        return len(self.tokens) >= self.n

    def allowed(self):
        return self.mask

    def push(self, token):
        self.tokens.append(token)
        return len(self.tokens) % self.every == 0


def run(decs, seed=7, sampling=None, max_steps=100, model=None):
    sampling = sampling or Sampling()
    model = model or TinyGRU()
    events = list(sample_stream(model, [1, 2, 3], decs, sampling, seed, max_steps))
    return events, [d.tokens for d in decs]


def test_same_seed_same_tokens_and_rows_reproduce_alone():
    _, batch = run([CountDecoder(20) for _ in range(3)])
    _, again = run([CountDecoder(20) for _ in range(3)])
    assert batch == again
    _, alone = run([CountDecoder(20)], seed=7 + 2)
    assert alone[0] == batch[2]
    assert len({tuple(t) for t in batch}) > 1  # rows differ


def test_masks_are_respected_even_against_top_k():
    _, toks = run([CountDecoder(30, only={5, 9})], sampling=Sampling(top_k=1))
    assert set(toks[0]) <= {5, 9}


def test_reports_progress_and_completion():
    events, toks = run([CountDecoder(8, every=4), CountDecoder(3, every=100)])
    assert events.count(0) == 2  # at 4 and 8 tokens (the last one also finishes it)
    assert events.count(1) == 1  # only its completion
    assert [len(t) for t in toks] == [8, 3]


def test_budget_stops_and_reports_unfinished():
    events, toks = run([CountDecoder(50, every=1000)], max_steps=10)
    assert len(toks[0]) == 10 and events == [0]


def test_closing_the_generator_stops_within_one_step():
    model = TinyGRU()
    dec = CountDecoder(1000, every=1)
    gen = sample_stream(model, [1], [dec], Sampling(), 0, 1000)
    for _ in range(5):
        next(gen)
    steps = model.steps
    gen.close()
    assert model.steps == steps and len(dec.tokens) == 5


def test_filter_logits():
    logits = torch.tensor([[0.0, 1.0, 2.0, 3.0]])
    k = filter_logits(logits, Sampling(top_k=2))
    assert torch.isinf(k[0, :2]).all() and torch.isfinite(k[0, 2:]).all()
    p = filter_logits(logits, Sampling(top_p=0.5))
    assert torch.isfinite(p[0, 3]) and torch.isinf(p[0, 0])
    greedy = filter_logits(logits, Sampling(temperature=0.0001))
    assert torch.argmax(greedy) == 3
