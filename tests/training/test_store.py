"""Tunes and MIDI pieces kept on disk (training data larger than memory)."""

import numpy as np
import torch

from composer.training.corpus import AbcTune
from composer.training.sequences import Sequences, window_batch
from composer.training.store import Chain, TuneStore, TuneWriter


def test_tunes_written_to_a_store_read_back_as_written(tmp_path):
    tunes = [AbcTune("a1", "X:1\nK:G\n", "GAB|c2 \u00e9|]\n"), AbcTune("b2", "X:2\nK:D\n", ""),
             AbcTune("c3", "X:3\nK:A\n", "A4|]\n")]
    writer = TuneWriter(tmp_path, "train")
    for t in tunes:
        writer.append(t)
    writer.pop()  # the last one taken back
    store = writer.close()
    assert len(store) == 2 and list(store) == tunes[:2]
    assert store[-1] == tunes[1] and store[0:1] == tunes[:1]
    assert list(TuneStore(tmp_path, "train")) == tunes[:2]
    empty = TuneWriter(tmp_path, "none").close()
    assert len(empty) == 0 and list(empty) == []


def test_a_chain_joins_sequences_without_copying_them():
    chain = Chain([[1, 2], [], [3], [4, 5, 6]])
    assert len(chain) == 6 and list(chain) == [1, 2, 3, 4, 5, 6]
    assert chain[2] == 3 and chain[-1] == 6 and chain[1:4] == [2, 3, 4]


class _Features(torch.nn.Module):
    """Two features per token, as a MIDI model's ``features`` gives them."""

    def features(self, ids):
        return [ids % 3, torch.cumsum(ids, 1) % 5]


def test_pieces_on_disk_give_the_windows_of_pieces_in_memory(tmp_path):
    rng = np.random.default_rng(0)
    pieces = [rng.integers(1, 40, size=n) for n in (5, 80, 33, 200, 2)]
    memory = Sequences.build(_Features(), pieces)
    disk = Sequences.build(_Features(), iter(pieces), folder=tmp_path / "seq")
    assert disk.tokens == memory.tokens and len(disk.ids) == len(pieces)
    assert np.array_equal(disk.lengths, memory.lengths)
    for seed in range(4):
        a = window_batch(memory, np.random.default_rng([seed, 1]), 6, 40, 0)
        b = window_batch(disk, np.random.default_rng([seed, 1]), 6, 40, 0)
        assert torch.equal(a[0], b[0]) and torch.equal(a[2], b[2])
        assert all(torch.equal(x, y) for x, y in zip(a[1], b[1], strict=True))
