"""Tiny random Qwen2 (solver) and Qwen2-VL (reader) models, built offline and saved to folders.

They load through the same `from_pretrained` path as real checkpoints: a ByteLevel BPE
tokenizer trained with `tokenizers` on a few strings (with the ChatML special tokens and the
Qwen2 chat template), real configs, safetensors weights, and for the reader a full
Qwen2VLProcessor (image processor + video processor, which needs torchvision).

The output head's rows for the special tokens are zeroed, so greedy decoding never picks
one: generation always runs to max_new_tokens, which the cancel tests rely on.

Use the fixtures from a test module:

    from tests.fakes.tiny_models import tiny_reader_dir, tiny_solver_dir  # noqa: F401
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]
ENDOFTEXT_ID, IM_START_ID, IM_END_ID = 0, 1, 2
VISION_START_ID, VISION_END_ID, IMAGE_PAD_ID, VIDEO_PAD_ID = 3, 4, 5, 6
VOCAB_SIZE = 384  # the model's rows; the trained tokenizer uses at most this many

# Qwen2-VL's ChatML template (the Qwen2 text template plus image/video placeholders).
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}"
    "{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}"
    "<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

_CORPUS = [
    "Please reason step by step, and put your final answer within \\boxed{}.",
    "You are a helpful math assistant. Solve x + 1 = 3 for x.",
    "We have $x + 1 = 3$, so $$x = 2.$$ The answer is $\\boxed{2}$.",
    "Please describe the math-related content in this image, ensuring that any LaTeX "
    "formulas are correctly transcribed.",
    "```python\nprint(1 + 2)\n```\n```output\n3\n```",
    "Image description: a triangle with sides 3, 4 and 5. User question: what is its area?",
    "0 1 2 3 4 5 6 7 8 9 + - * / = ( ) [ ] { } \\frac \\sqrt \\cdot \\pi",
]


def build_tokenizer() -> Any:
    """A ByteLevel BPE tokenizer like Qwen2's, trained on a few strings, as a HF fast tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    raw.train_from_iterator(_CORPUS * 4, trainer=trainer)
    assert raw.token_to_id("<|im_end|>") == IM_END_ID
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=SPECIAL_TOKENS[1:],
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _silence_special_tokens(model: Any) -> None:
    """Zero the output rows of the special tokens so greedy decoding never ends early."""
    import torch

    with torch.no_grad():
        model.get_output_embeddings().weight[: len(SPECIAL_TOKENS)] = 0.0


def _generation_config(model: Any) -> None:
    model.generation_config.eos_token_id = [IM_END_ID, ENDOFTEXT_ID]
    model.generation_config.pad_token_id = ENDOFTEXT_ID
    model.generation_config.do_sample = False


def build_solver(folder: Path) -> Path:
    """Save a tiny random Qwen2ForCausalLM with its tokenizer to `folder`."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(
        vocab_size=VOCAB_SIZE,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        bos_token_id=ENDOFTEXT_ID,
        eos_token_id=IM_END_ID,
        pad_token_id=ENDOFTEXT_ID,
        tie_word_embeddings=False,
    )
    model = Qwen2ForCausalLM(config).eval()
    _silence_special_tokens(model)
    _generation_config(model)
    model.save_pretrained(folder)
    build_tokenizer().save_pretrained(folder)
    return folder


def build_reader(folder: Path) -> Path:
    """Save a tiny random Qwen2VLForConditionalGeneration with its processor to `folder`."""
    import torch
    from transformers import (
        Qwen2VLConfig,
        Qwen2VLForConditionalGeneration,
        Qwen2VLImageProcessor,
        Qwen2VLProcessor,
    )
    from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor

    torch.manual_seed(0)
    config = Qwen2VLConfig(
        text_config={
            "vocab_size": VOCAB_SIZE,
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "max_position_embeddings": 4096,
            "rope_scaling": {"type": "mrope", "mrope_section": [4, 2, 2]},  # head_dim 16
            "bos_token_id": ENDOFTEXT_ID,
            "eos_token_id": IM_END_ID,
            "pad_token_id": ENDOFTEXT_ID,
        },
        vision_config={
            "depth": 2,
            "embed_dim": 32,
            "hidden_size": 64,
            "num_heads": 2,
            "mlp_ratio": 2,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        image_token_id=IMAGE_PAD_ID,
        video_token_id=VIDEO_PAD_ID,
        vision_start_token_id=VISION_START_ID,
        vision_end_token_id=VISION_END_ID,
        tie_word_embeddings=False,
    )
    model = Qwen2VLForConditionalGeneration(config).eval()
    _silence_special_tokens(model)
    _generation_config(model)
    model.save_pretrained(folder)
    pixels = {"min_pixels": 28 * 28 * 4, "max_pixels": 28 * 28 * 16}
    processor = Qwen2VLProcessor(
        image_processor=Qwen2VLImageProcessor(**pixels),
        tokenizer=build_tokenizer(),
        video_processor=Qwen2VLVideoProcessor(),
        chat_template=CHAT_TEMPLATE,
    )
    processor.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_solver_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a tiny random Qwen2 chat model, as a user's download would."""
    return build_solver(tmp_path_factory.mktemp("tiny-qwen2-solver"))


@pytest.fixture(scope="session")
def tiny_reader_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a tiny random Qwen2-VL model and its processor."""
    return build_reader(tmp_path_factory.mktemp("tiny-qwen2vl-reader"))
