"""The typed events the pipeline yields; the GUI and the CLI are two consumers of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from desktop_app.core.backends.base import Role

Check = Literal["verified", "contradicted", "unchecked"]
CodeStatus = Literal["ok", "error", "timeout", "killed", "truncated"]


@dataclass(frozen=True)
class ImageReady:
    """The image was decoded and normalised; `png` is what the reader will see."""

    png: bytes
    width: int
    height: int


@dataclass(frozen=True)
class StageStarted:
    """A stage began; `model` names what runs it."""

    stage: Role
    model: str


@dataclass(frozen=True)
class TranscriptDelta:
    """More of the reader's transcription."""

    delta: str


@dataclass(frozen=True)
class AnswerDelta:
    """More of the solver's answer."""

    delta: str


@dataclass(frozen=True)
class CodeBlock:
    """TIR: the model's code, about to run in the sandbox."""

    source: str


@dataclass(frozen=True)
class CodeOutput:
    """TIR: what the sandboxed code printed and how it ended."""

    output: str
    status: CodeStatus


@dataclass(frozen=True)
class Notice:
    """Something the user should know that is not an error (e.g. models running on the CPU)."""

    message: str


@dataclass(frozen=True)
class Retrying:
    """The backend was throttled or busy before the first token; it waits and tries again."""

    attempt: int
    delay: float
    reason: str


@dataclass(frozen=True)
class FinalAnswer:
    """The final answer, extracted from the solution, and how it was checked.

    `reason` says why in one sentence ("x = 4, y = 3 gives 2x + 3y = 17, not 16");
    `votes` and `samples` are set with self-consistency (votes for this answer out of samples).
    """

    answer: str
    check: Check = "unchecked"
    reason: str = ""
    votes: int | None = None
    samples: int | None = None


@dataclass(frozen=True)
class SampleProgress:
    """Self-consistency: `finished` of `total` sampled solutions are done (`failed` of them
    failed). Not streamed: the samples' text comes after the vote."""

    finished: int
    total: int
    failed: int = 0


@dataclass(frozen=True)
class SampleAnswer:
    """One sampled solution: its text, its final answer, and the group of equivalent final
    answers it belongs to (None when it has no final answer)."""

    text: str
    final_answer: str | None
    group: int | None


@dataclass(frozen=True)
class SamplesVoted:
    """Every sample that finished, in request order, and the vote: `majority` is the index of
    the sample shown as the answer (its group's first), `votes` how many share its answer."""

    samples: tuple[SampleAnswer, ...]
    majority: int
    votes: int
    by_equivalence: bool = True  # False when the answers were grouped by their text only


@dataclass(frozen=True)
class StepChecked:
    """One checked step of the solution: `before` -> `after` (LaTeX), ok or wrong, and why."""

    before: str
    after: str
    verdict: Literal["ok", "wrong"]
    reason: str = ""
    # Where the step stands in the answer text (character offsets), so a view can mark that
    # line; -1 when unknown. Not part of the JSON event.
    start: int = -1
    end: int = -1


@dataclass(frozen=True)
class PlotPoint:
    """A marked point of a plot (a root, an intersection, a tangent point)."""

    x: float
    y: float
    label: str = ""


@dataclass(frozen=True)
class PlotReady:
    """Something worth drawing: functions of x (LaTeX/plain), marked points and the x range."""

    functions: tuple[str, ...]
    points: tuple[PlotPoint, ...]
    x_range: tuple[float, float]
    # The whole plot as JSON-ready data (core.plots' spec: sampled series, areas, ranges) for
    # views and history; the JSON event carries only the summary above.
    spec: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Finished:
    """The run ended normally (conversation_id is None when nothing was saved)."""

    conversation_id: str | None = None


@dataclass(frozen=True)
class Failed:
    """The run ended with an error; what streamed before it is kept by the consumer."""

    message: str
    exit_code: int
    stage: Role | None = None
    needs_key: bool = False  # an API key was missing: a GUI can ask for one and run again


Event = (
    ImageReady
    | StageStarted
    | TranscriptDelta
    | AnswerDelta
    | CodeBlock
    | CodeOutput
    | Retrying
    | Notice
    | FinalAnswer
    | SampleProgress
    | SamplesVoted
    | StepChecked
    | PlotReady
    | Finished
    | Failed
)


def to_json(event: Event) -> dict[str, Any] | None:
    """The event as the contract's `solve --json` object, or None if it has no JSON form."""
    if isinstance(event, TranscriptDelta):
        return {"type": "transcript", "delta": event.delta}
    if isinstance(event, AnswerDelta):
        return {"type": "answer", "delta": event.delta}
    if isinstance(event, CodeBlock):
        return {"type": "code", "source": event.source}
    if isinstance(event, CodeOutput):
        return {"type": "code_output", "output": event.output, "status": event.status}
    if isinstance(event, FinalAnswer):
        final: dict[str, Any] = {
            "type": "final",
            "answer": event.answer,
            "check": event.check,
            "reason": event.reason,
        }
        if event.samples is not None:
            final["votes"], final["samples"] = event.votes, event.samples
        return final
    if isinstance(event, StepChecked):
        return {
            "type": "step_check",
            "before": event.before,
            "after": event.after,
            "verdict": event.verdict,
            "reason": event.reason,
        }
    if isinstance(event, PlotReady):
        return {
            "type": "plot",
            "functions": list(event.functions),
            "points": [asdict(p) for p in event.points],
            "x_range": list(event.x_range),
        }
    if isinstance(event, Finished):
        if event.conversation_id is None:
            return None
        return {"type": "done", "conversation_id": event.conversation_id}
    if isinstance(event, Failed):
        return {"type": "error", "message": event.message, "exit_code": event.exit_code}
    if isinstance(event, StageStarted):
        return {"type": "stage", **asdict(event)}
    if isinstance(event, Retrying):
        return {"type": "retrying", **asdict(event)}
    return None
