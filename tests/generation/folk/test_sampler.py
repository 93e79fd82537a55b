import pytest
import torch

from composer.generation.folk.constraints import AbcTracker
from composer.generation.folk.sampler import AbcSampler
from composer.generation.request import Sampling
from composer.music.abc import read_abc
from composer.nn import checkpoint
from composer.nn.char_lstm import CharLSTM, CharLSTMConfig
from composer.nn.vocab import CharVocab

CHARS = "\n !\"#'()+,-/0123456789:<>=ABCDEFGHKLMPTXZ[]^_abcdefgmz|{}~\\"
PROMPT = 'X:1\nT:Test\nM:6/8\nL:1/8\nK:D\nA|"D"FAA dAA|"G"BAG "A"FED|'


@pytest.fixture(scope="module")
def sampler():
    torch.manual_seed(0)
    vocab = CharVocab(sorted(set(CHARS)))
    model = CharLSTM(CharLSTMConfig(vocab_size=len(vocab), embed=8, hidden=24, layers=2))
    return AbcSampler(model, vocab, threads=1)


def test_same_seed_same_text_and_batch_equals_one_by_one(sampler):
    kw = {"stop_after_bars": 3, "sampling": Sampling(seed=11)}
    batch = [c.text for c in sampler.generate(PROMPT, variations=3, **kw)]
    again = [c.text for c in sampler.generate(PROMPT, variations=3, **kw)]
    assert batch == again
    alone = [sampler.generate(PROMPT, stop_after_bars=3, sampling=Sampling(seed=11 + i))[0].text
             for i in range(3)]
    assert alone == batch
    assert len(set(batch)) > 1


def test_exactly_n_full_bars_that_our_reader_reads(sampler):
    for seed in range(4):
        for chunk in sampler.generate(PROMPT, variations=2, stop_after_bars=4,
                                      sampling=Sampling(temperature=1.3, seed=seed)):
            assert chunk.done and chunk.reason == "bars" and chunk.bars == 4
            assert chunk.text.endswith("|")
            t = AbcTracker.for_tune(PROMPT)
            start = len(t.bars)
            t.push_text(chunk.text)
            new = t.bars[start:]
            assert [b.kind for b in new] == ["full"] * 4
            score = read_abc(PROMPT + chunk.text)
            assert len(score.bars()) == 3 + 4


def test_a_prompt_ending_inside_a_bar_gets_that_bar_completed_first(sampler):
    prompt = PROMPT + '"D"FA'
    chunk = sampler.generate(prompt, stop_after_bars=2, sampling=Sampling(seed=3))[0]
    t = AbcTracker.for_tune(prompt)
    t.push_text(chunk.text)
    # the prompt: a pickup and two bars; then its last bar completed and one more
    assert [b.kind for b in t.bars] == ["short", "full", "full", "full", "full"]


def test_whole_tunes_end_and_read_back(sampler):
    header = PROMPT.split("A|")[0]
    chunks = sampler.generate(header, variations=3, max_chars=300,
                              sampling=Sampling(temperature=0.8, seed=5))
    for chunk in chunks:
        body = chunk.text if chunk.reason == "end" else chunk.text[: chunk.last_bar_end]
        read_abc(header + body)


def test_streaming_per_character_and_per_bar(sampler):
    chunks = list(sampler.stream(PROMPT, stop_after_bars=2, per="char",
                                 sampling=Sampling(seed=2)))
    assert all(len(c.new_text) == 1 for c in chunks)
    assert "".join(c.new_text for c in chunks) == chunks[-1].text
    bars = list(sampler.stream(PROMPT, stop_after_bars=2, sampling=Sampling(seed=2)))
    assert [c.bars for c in bars] == [1, 2] and bars[-1].done
    assert bars[-1].text == chunks[-1].text


def test_closing_the_stream_stops_the_model(sampler, monkeypatch):
    steps = []
    original = sampler.model.step

    def counting_step(tokens, state):
        steps.append(1)
        return original(tokens, state)

    monkeypatch.setattr(sampler.model, "step", counting_step)
    stream = sampler.stream(PROMPT, stop_after_bars=50, per="char", sampling=Sampling(seed=1))
    next(stream)
    next(stream)
    stream.close()
    done = len(steps)
    assert done <= 3
    assert len(steps) == done


def test_unconstrained_sampling_differs(sampler):
    constrained = sampler.generate(PROMPT, stop_after_bars=2, sampling=Sampling(seed=4))
    free = sampler.generate(PROMPT, stop_after_bars=2, constrained=False, max_chars=200,
                            sampling=Sampling(seed=4))
    assert constrained[0].text != free[0].text


def test_loaded_model_samples_like_the_original(sampler, tmp_path):
    checkpoint.save(tmp_path / "m", sampler.model, sampler.model.config, sampler.vocab,
                    {"kind": "folk-abc"})
    loaded = AbcSampler.load(tmp_path / "m", threads=1)
    kw = {"stop_after_bars": 2, "sampling": Sampling(seed=9)}
    assert loaded.generate(PROMPT, **kw)[0].text == sampler.generate(PROMPT, **kw)[0].text


def test_bad_arguments(sampler):
    with pytest.raises(ValueError):
        list(sampler.stream(PROMPT, variations=0))
    with pytest.raises(ValueError):
        list(sampler.stream(PROMPT, stop_after_bars=0))


def test_priming_once_equals_priming_every_row(sampler):
    from composer.generation.folk.sampler import PrimeOnce

    tokens = torch.tensor([sampler.prompt_tokens(PROMPT)] * 3)
    with torch.inference_mode():
        a, (ha, ca) = sampler.model.step(tokens, sampler.model.init_state(3))
        b, (hb, cb) = PrimeOnce(sampler.model).step(tokens, sampler.model.init_state(3))
    assert torch.allclose(a, b, atol=1e-6) and torch.allclose(ha, hb, atol=1e-6)
    assert torch.allclose(ca, cb, atol=1e-6)


def test_the_whole_tune_decoder_reads_its_music_back():
    """One decoder interface (issue 14): the whole-tune sampler's decoders give their
    music like the continuation decoders do."""
    from composer.generation.codec import Decoder
    from composer.generation.folk.constraints import AbcTracker
    from composer.generation.folk.sampler import AbcDecoder, MaskCache
    from composer.nn.vocab import CharVocab

    prompt = "X:1\nT:t\nM:4/4\nL:1/4\nK:C\n"
    vocab = CharVocab(sorted(set(prompt + "CDEFG|\n")))
    dec = AbcDecoder(AbcTracker.for_tune(prompt, free_bars=True), MaskCache(vocab), None,
                     100, prompt=prompt)
    assert isinstance(dec, Decoder)
    for c in "CDEF|G":
        dec.push(vocab.id(c))
    music = dec.music()
    assert [n.pitch for n in music.notes["Melody"]] == [60, 62, 64, 65]
