"""Every checkable step of a solution judged with SymPy: ok, or wrong with a counterexample.

`check_steps(solution)` walks the Markdown blocks; `check_block(block, context)` checks one
finished block given what earlier blocks established, so a streaming view can mark a block
as soon as it is complete. Both are pure: no I/O, no globals changed, no signals or threads.
Steps whose meaning is not plain (see `core/step_latex.py`) or that change the problem on
purpose are skipped, never guessed (ADR 012).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from desktop_app.core.step_equations import (
    Equation,
    compare_equations,
    compare_inequalities,
    roots,
)
from desktop_app.core.step_extract import Formula, formulas_in_block, split_blocks
from desktop_app.core.step_judge import (
    Judgment,
    calculus,
    judge_calculus,
    judge_identity,
    judge_numbers,
    show,
    value,
)
from desktop_app.core.step_latex import Term, decimals_in, parse_plain, parse_term

__all__ = ["BlockCheck", "StepContext", "StepResult", "check_block", "check_steps"]

Kind = Literal["arithmetic", "substitution", "identity", "calculus", "derivation", "inequality"]
# Prose that makes the next formula a rewriting of one expression, not an equation to solve.
_REWRITE_CUE = re.compile(
    r"expand|factor|simplif|distribut|rewrit|written as|combin|identity|equivalent|"
    r"difference of|complet|the same as|collect|FOIL",
    re.IGNORECASE,
)
# Prose after which the next equation is a new one, not the previous one transformed.
_RESET_CUE = re.compile(
    r"\b(?:or|case|cases|if|suppose|assume|let|when|check|verify|another|second|other|part"
    r"|alternatively|similarly|also|both|either|instead|try|test|plug|substitut|consider"
    r"|original|given|where|since|because|note|recall|for|each|every|no|not|false)\b",
    re.IGNORECASE,
)
# "x - 2 = 0 or x - 3 = 0": the formula is one of several cases, not a step from the last.
_ALTERNATIVE = re.compile(r"\s*[,;]?\s*(?:\\text\s*\{\s*)?or\b", re.IGNORECASE)
# Prose that says an inequality was transformed ("dividing both sides by -2, x < -4").
_INEQUALITY_STEP = re.compile(
    r"divid|multipl|subtract|add|simplif|rearrang|isolat|\\implies|\\Rightarrow|\bso\b|\bthus\b"
    r"|\bhence\b|\btherefore\b|\bgives\b|\bget\b|\byields\b",
    re.IGNORECASE,
)
_REFUTED = re.compile(
    r"contradict|impossible|absurd|otherwise|would (?:be|give|mean)|cannot|can't|not possible"
    r"|suppose|assume|\\neq|\bnot\b|\bfalse\b|\bwrong\b|\bincorrect\b|\bmistake\b|\berror\b",
    re.IGNORECASE,
)
_MAX_TERMS = 8
_VALUE_BLOCKS = 1  # a value found this many blocks back may still be substituted
_EQUATION_WINDOW = 2


@dataclass(frozen=True)
class StepResult:
    """One judged step: `before` -> `after` (LaTeX), ok or wrong, why, and where it is.

    `start`/`end` are character offsets of the formula in the text given to `check_steps`
    (or in the block plus `offset` for `check_block`); `block` is the Markdown block's index.
    """

    verdict: Literal["ok", "wrong"]
    before: str
    after: str
    reason: str
    kind: Kind
    block: int
    start: int
    end: int


@dataclass(frozen=True)
class StepContext:
    """What the blocks checked so far established: values found, recent equations, time spent."""

    block: int = 0
    values: tuple[tuple[Any, Any, int], ...] = ()
    reassigned: frozenset[Any] = frozenset()
    equations: tuple[Equation, ...] = ()
    formulas: int = 0
    spent_s: float = field(default=0.0, compare=False)  # wall time, not part of what was found
    budget_s: float = 4.0


@dataclass(frozen=True)
class BlockCheck:
    """The steps judged in one block, and the context to pass with the next block."""

    results: tuple[StepResult, ...]
    context: StepContext = field(default_factory=StepContext)


def check_steps(solution: str, *, budget_s: float = 4.0) -> list[StepResult]:
    """Every step of `solution` that can be judged, in order; steps past the budget are left out."""
    context = StepContext(budget_s=budget_s)
    results: list[StepResult] = []
    for block in split_blocks(solution):
        checked = check_block(block.text, replace(context, block=block.index), offset=block.start)
        results.extend(checked.results)
        context = checked.context
    return results


def check_block(block: str, context: StepContext | None = None, *, offset: int = 0) -> BlockCheck:
    """The judged steps of one finished Markdown block; pass `.context` on with the next block."""
    _load_parser()  # a one-off import is not part of any step's time
    state = _State(context or StepContext(), offset)
    started = time.perf_counter()
    formulas = formulas_in_block(block)
    for k, formula in enumerate(formulas):
        if state.context.spent_s + (time.perf_counter() - started) > state.context.budget_s:
            break
        after = formulas[k + 1].prose_before if k + 1 < len(formulas) else block[formula.end :]
        try:
            state.formula(
                formula,
                alternative=bool(_ALTERNATIVE.match(after)),
                refuted=bool(_REFUTED.search(formula.prose_before[-80:] + " " + after[:40])),
            )
        except (RecursionError, ValueError, TypeError, ZeroDivisionError, OverflowError):
            continue  # SymPy's failures on odd input mean "cannot judge", never "wrong"
    spent = state.context.spent_s + time.perf_counter() - started
    following = replace(state.context, block=state.context.block + 1, spent_s=spent)
    return BlockCheck(tuple(state.results), following)


class _State:
    """The walk through one block's formulas: results so far and the evolving context."""

    def __init__(self, context: StepContext, offset: int) -> None:
        self.context = context
        self.offset = offset
        self.results: list[StepResult] = []

    def formula(self, f: Formula, *, alternative: bool = False, refuted: bool = False) -> None:
        """Judge every link of `f`.

        `alternative`: the text goes on with "or" (one of several cases); `refuted`: the text
        says the formula is false on purpose ("otherwise 0 = 1, a contradiction").
        """
        self.context = replace(self.context, formulas=self.context.formulas + 1)
        if len(f.terms) > _MAX_TERMS:
            return
        parse = parse_plain if f.plain else parse_term
        terms = [parse(t) for t in f.terms]
        for i, relation in enumerate(f.relations):
            left, right = terms[i], terms[i + 1]
            if left is None or right is None or relation == "!=":
                continue
            if left.units != right.units and ((left.units and right.units) or _bare(left, right)):
                continue  # 2 hours = 120 minutes, 32.0 g = 1 (mole): conversions, not arithmetic
            claimed = i > 0 or f.continued or bool(_REWRITE_CUE.search(f.prose_before))
            judged = self._link(f, i, left, right, relation, claimed)
            if judged is not None and not (refuted and judged[0][0] == "wrong"):
                (verdict, reason), kind = judged
                self._add(verdict, f.terms[i], f.terms[i + 1], reason, kind, f)
        self._equation(f, terms, alternative)

    def _link(
        self, f: Formula, i: int, left: Term, right: Term, relation: str, claimed: bool
    ) -> tuple[tuple[Literal["ok", "wrong"], str], Kind] | None:
        a, b = left.expr, right.expr
        numbers = decimals_in(f.terms[i] + " " + f.terms[i + 1])
        percent = right.percent and not left.percent
        if not a.free_symbols and not b.free_symbols:
            kind: Kind = "calculus" if calculus(a, b) else "arithmetic"
            return _tagged(judge_numbers(value(a), value(b), relation, numbers, percent), kind)
        if a.free_symbols and b.free_symbols and relation == "=" and calculus(a, b):
            return _tagged(judge_calculus(a, b), "calculus")
        values = self._substituted(a, b, f.terms[i + 1] if a.free_symbols else f.terms[i])
        if values:
            named = ", ".join(f"{s} = {show(v)}" for s, v in values.items())
            judged = judge_numbers(
                value(a.subs(values)), value(b.subs(values)), relation, numbers, percent
            )
            if judged is not None and judged[0] == "wrong":
                judged = ("wrong", f"with {named} (found above) {judged[1]}")
            return _tagged(judged, "substitution")
        if relation == "=" and a.free_symbols == b.free_symbols:
            # Decimals are measured constants (6.7102 x 10^-7 m): rounding, not rewriting.
            return _tagged(judge_identity(a, b, claimed and numbers is None), "identity")
        return None

    def _substituted(self, a: Any, b: Any, plugged: str) -> dict[Any, Any]:
        """The found values a link plugs in (`2x + 3 = 2(4) + 3` after x = 4), or none.

        Only explicit substitutions count: one side numeric with an operator and the value
        written in it, every symbol of the other side found once in the last blocks.
        """
        symbolic = a if a.free_symbols else b
        if (a.free_symbols and b.free_symbols) or symbolic.is_Symbol:
            return {}  # "x = 3" assigns a value; it substitutes nothing
        block = self.context.block
        known = {s: v for s, v, found in self.context.values if block - found <= _VALUE_BLOCKS}
        if not symbolic.free_symbols <= set(known) or not re.search(
            r"[-+*/()]|\\cdot|\\times", plugged
        ):
            return {}
        values = {s: known[s] for s in symbolic.free_symbols}
        if not all(show(v) in plugged or str(v) in plugged for v in values.values()):
            return {}
        return values

    def _equation(self, f: Formula, terms: list[Term | None], alternative: bool) -> None:
        """Record values found (x = 4) and judge an equation against the ones just before it."""
        if f.plain or terms[0] is None or terms[-1] is None:
            return
        first, last = terms[0].expr, terms[-1].expr
        if any(t is None for t in terms) or len(set(f.relations)) != 1:
            return
        relation = f.relations[0]
        if len(f.terms) > 2 and any(t is not None and t.expr.free_symbols for t in terms[1:]):
            return  # a chain of rewritings, already judged link by link
        symbols = first.free_symbols | last.free_symbols
        if len(symbols) != 1:
            return
        symbol = next(iter(symbols))
        reset = alternative or bool(_RESET_CUE.search(f.prose_before))
        solved = relation == "=" and first == symbol and not last.free_symbols
        if solved:
            self._found(symbol, last, reset)
        if relation not in ("=", "<", "<=", ">", ">="):
            return
        found = roots(first - last, symbol)
        if found is None or not found or (relation != "=" and len(found) != 1):
            return
        equation = Equation(
            symbol,
            f.terms[0] + " " + relation + " " + f.terms[-1],
            found,
            self.context.formulas,
            first,
            last,
            relation,
            solved or reset or len(f.terms) > 2,
        )
        # Only a lone equation is a step of a derivation: `5 + 4d = 5 + 4(-5/2) = -5` is a
        # value worked out for one case, and decimals are rounded values, not transformations.
        if not reset and len(f.terms) == 2 and decimals_in(" ".join(f.terms)) is None:
            self._compare(equation, f)
        recent = (*self.context.equations, equation)[-_EQUATION_WINDOW:]
        self.context = replace(self.context, equations=recent)

    def _found(self, symbol: Any, value: Any, reset: bool) -> None:
        """Remember x = 4; a symbol given two values (cases, new parts) is never substituted."""
        values = self.context.values
        reassigned = self.context.reassigned
        if reset or symbol in reassigned or any(s == symbol for s, _, _ in values):
            reassigned = reassigned | {symbol}
            values = tuple(entry for entry in values if entry[0] != symbol)
        else:
            values = (*values, (symbol, value, self.context.block))
        self.context = replace(self.context, values=values, reassigned=reassigned)

    def _compare(self, equation: Equation, f: Formula) -> None:
        """Judge against the formula just before, if it was an equation to transform in x."""
        earlier = [
            e
            for e in self.context.equations
            if e.symbol == equation.symbol
            and e.index == equation.index - 1
            and not e.solved
            and (e.relation == "=") == (equation.relation == "=")
        ]
        if not earlier:
            return
        if equation.relation == "=":
            judged = compare_equations(earlier, equation)
            kind: Kind = "derivation"
        elif _INEQUALITY_STEP.search(f.prose_before):
            judged = compare_inequalities(earlier, equation)
            kind = "inequality"
        else:
            return  # inequalities side by side are usually cases, not one transformed
        if judged is not None:
            verdict, reason, before = judged
            self._add(verdict, before, equation.latex, reason, kind, f)

    def _add(
        self,
        verdict: Literal["ok", "wrong"],
        before: str,
        after: str,
        reason: str,
        kind: Kind,
        f: Formula,
    ) -> None:
        self.results.append(
            StepResult(
                verdict,
                before.strip(),
                after.strip(),
                reason,
                kind,
                self.context.block,
                self.offset + f.start,
                self.offset + f.end,
            )
        )


def _bare(left: Term, right: Term) -> bool:
    """Both terms are single numbers: `32.0 g = 1` restates a quantity, it computes nothing."""
    return left.literal and right.literal


def _load_parser() -> None:
    import latex2sympy2_extended  # type: ignore[import-untyped]  # noqa: F401
    import sympy  # type: ignore[import-untyped]  # noqa: F401


def _tagged(judged: Judgment, kind: Kind) -> tuple[tuple[Literal["ok", "wrong"], str], Kind] | None:
    return None if judged is None else (judged, kind)
