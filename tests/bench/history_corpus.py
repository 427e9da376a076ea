"""A large history of realistic math conversations, built fast and cached between runs.

Realistic means what the search index sees in real use: problems from several topics in
Markdown + LaTeX, step-by-step answers of ~1-3 KB ending in a boxed answer, some follow-up
questions, and a vocabulary wide enough that a word like `integral` occurs in a minority of
conversations while `\\frac{` or `x^2` occur in many. Building 100,000 of them through the
store's API would take tens of minutes (one transaction each); they are written in one
transaction instead and indexed by the store's own `search.rebuild`.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop_app.core.history import schema, search
from desktop_app.core.history.models import derive_title
from desktop_app.core.history.store import HistoryStore

NOW = 1_800_000_000.0

Template = Callable[[random.Random], tuple[str, list[str], str]]


def _n(rng: random.Random, low: int = 2, high: int = 12) -> int:
    return rng.randint(low, high)


def _integral(rng: random.Random) -> tuple[str, list[str], str]:
    a, b, p, q = _n(rng, 0, 3), _n(rng, 4, 9), _n(rng), _n(rng)
    problem = f"Evaluate the definite integral $$\\int_{{{a}}}^{{{b}}} ({p}x^2 + {q}x)\\,dx.$$"
    steps = [
        f"An antiderivative of ${p}x^2 + {q}x$ is $F(x) = \\frac{{{p}}}{{3}}x^3 + "
        f"\\frac{{{q}}}{{2}}x^2$.",
        f"By the fundamental theorem of calculus the integral equals $F({b}) - F({a})$.",
        f"Compute $F({b}) = \\frac{{{p}}}{{3}} \\cdot {b**3} + \\frac{{{q}}}{{2}} \\cdot {b**2}$.",
        f"Compute $F({a}) = \\frac{{{p}}}{{3}} \\cdot {a**3} + \\frac{{{q}}}{{2}} \\cdot {a**2}$.",
    ]
    value = p * (b**3 - a**3) / 3 + q * (b**2 - a**2) / 2
    return problem, steps, f"{value:g}"


def _derivative(rng: random.Random) -> tuple[str, list[str], str]:
    a, b = _n(rng), _n(rng)
    fn = rng.choice(["\\sin", "\\cos", "\\ln", "\\tan"])
    problem = f"Find the derivative of $f(x) = x^2 {fn}({a}x) + e^{{{b}x}}$."
    steps = [
        f"Use the product rule on $x^2 {fn}({a}x)$: $(uv)' = u'v + uv'$ with $u = x^2$.",
        f"Then $u' = 2x$ and $v' = \\frac{{d}}{{dx}} {fn}({a}x)$ by the chain rule.",
        f"The derivative of $e^{{{b}x}}$ is ${b}e^{{{b}x}}$.",
        "Adding the pieces gives the derivative.",
    ]
    return problem, steps, f"2x{fn}({a}x) + x^2 ({fn}({a}x))' + {b}e^{{{b}x}}"


def _quadratic(rng: random.Random) -> tuple[str, list[str], str]:
    r, s = _n(rng, -9, 9), _n(rng, -9, 9)
    problem = f"Solve the quadratic equation $x^2 {-(r + s):+d}x {r * s:+d} = 0$ for $x$."
    steps = [
        f"We look for two numbers whose sum is ${r + s}$ and whose product is ${r * s}$.",
        f"Factor: $(x {-r:+d})(x {-s:+d}) = 0$.",
        f"So either $x = {r}$ or $x = {s}$.",
        "We can check by substituting back into the original equation.",
    ]
    return problem, steps, f"x = {r}, x = {s}"


def _limit(rng: random.Random) -> tuple[str, list[str], str]:
    a, b = _n(rng), _n(rng)
    problem = f"Compute the limit $$\\lim_{{x \\to 0}} \\frac{{\\sin({a}x)}}{{{b}x}}.$$"
    steps = [
        "Recall the standard limit $\\lim_{t \\to 0} \\frac{\\sin t}{t} = 1$.",
        f"Write $\\frac{{\\sin({a}x)}}{{{b}x}} = \\frac{{{a}}}{{{b}}} \\cdot "
        f"\\frac{{\\sin({a}x)}}{{{a}x}}$.",
        f"As $x \\to 0$, ${a}x \\to 0$ too, so the second factor tends to $1$.",
    ]
    return problem, steps, f"\\frac{{{a}}}{{{b}}}"


def _series(rng: random.Random) -> tuple[str, list[str], str]:
    r = _n(rng, 2, 9)
    problem = (
        f"Find the sum of the geometric series $$\\sum_{{n=0}}^{{\\infty}} \\frac{{1}}{{{r}^n}}.$$"
    )
    steps = [
        f"This is a geometric series with first term $1$ and ratio $\\frac{{1}}{{{r}}}$.",
        "Since the ratio is less than one in absolute value the series converges.",
        f"The sum is $\\frac{{1}}{{1 - 1/{r}}} = \\frac{{{r}}}{{{r - 1}}}$.",
    ]
    return problem, steps, f"\\frac{{{r}}}{{{r - 1}}}"


def _probability(rng: random.Random) -> tuple[str, list[str], str]:
    red, blue = _n(rng, 2, 9), _n(rng, 2, 9)
    problem = (
        f"A bag contains {red} red marbles and {blue} blue marbles. Two marbles are drawn "
        "without replacement. What is the probability that both are red?"
    )
    total = red + blue
    steps = [
        f"There are $\\binom{{{total}}}{{2}}$ ways to choose two marbles.",
        f"There are $\\binom{{{red}}}{{2}}$ ways to choose two red ones.",
        f"So the probability is $\\frac{{\\binom{{{red}}}{{2}}}}{{\\binom{{{total}}}{{2}}}}$.",
    ]
    return problem, steps, f"\\frac{{{red * (red - 1)}}}{{{total * (total - 1)}}}"


def _triangle(rng: random.Random) -> tuple[str, list[str], str]:
    a, b = _n(rng, 3, 15), _n(rng, 3, 15)
    problem = (
        f"A right triangle has legs of length {a} and {b}. Find the length of the hypotenuse "
        "and the area of the triangle."
    )
    steps = [
        f"By the Pythagorean theorem, $c = \\sqrt{{{a}^2 + {b}^2}} = \\sqrt{{{a * a + b * b}}}$.",
        f"The area of a right triangle is half the product of its legs: "
        f"$\\frac{{1}}{{2}} \\cdot {a} \\cdot {b}$.",
    ]
    return problem, steps, f"\\sqrt{{{a * a + b * b}}}, {a * b / 2:g}"


def _matrix(rng: random.Random) -> tuple[str, list[str], str]:
    a, b, c, d = (_n(rng, -5, 9) for _ in range(4))
    problem = (
        f"Find the determinant and the inverse of the matrix "
        f"$$A = \\begin{{pmatrix}} {a} & {b} \\\\ {c} & {d} \\end{{pmatrix}}.$$"
    )
    det = a * d - b * c
    steps = [
        f"For a $2 \\times 2$ matrix, $\\det A = ad - bc = {a} \\cdot {d} - {b} \\cdot {c} "
        f"= {det}$.",
        "The inverse exists when the determinant is nonzero and equals "
        "$\\frac{1}{\\det A} \\begin{pmatrix} d & -b \\\\ -c & a \\end{pmatrix}$.",
    ]
    return problem, steps, f"\\det A = {det}"


def _word_problem(rng: random.Random) -> tuple[str, list[str], str]:
    name = rng.choice(["Janet", "Ahmed", "Mei", "Lucas", "Priya", "Olga", "Tom", "Sofia"])
    item = rng.choice(["apples", "pencils", "tickets", "books", "cookies", "stamps"])
    k, price = _n(rng, 3, 40), _n(rng, 2, 15)
    problem = (
        f"{name} buys {k} {item} at ${price} each and pays with a $500 bill. "
        "How much change does she get?"
    )
    steps = [
        f"The {item} cost ${k} \\times {price} = {k * price}$ dollars in total.",
        f"The change is $500 - {k * price} = {500 - k * price}$ dollars.",
    ]
    return problem, steps, f"{500 - k * price}"


def _number_theory(rng: random.Random) -> tuple[str, list[str], str]:
    p, q = rng.choice([2, 3, 5]), rng.choice([7, 11, 13])
    e, f = _n(rng, 1, 5), _n(rng, 1, 3)
    n = p**e * q**f
    problem = f"How many positive divisors does ${n}$ have? Is ${n}$ a prime number?"
    steps = [
        f"The prime factorization is ${n} = {p}^{{{e}}} \\cdot {q}^{{{f}}}$.",
        "The number of divisors of $p^a q^b$ is $(a+1)(b+1)$.",
        f"So ${n}$ has $({e}+1)({f}+1) = {(e + 1) * (f + 1)}$ divisors and is not prime.",
    ]
    return problem, steps, f"{(e + 1) * (f + 1)}"


TEMPLATES: tuple[Template, ...] = (
    _integral,
    _derivative,
    _quadratic,
    _quadratic,
    _limit,
    _series,
    _probability,
    _triangle,
    _matrix,
    _word_problem,
    _word_problem,
    _number_theory,
)

# Connecting prose as Qwen2.5-Math writes it, drawn with a skewed (Zipf-like) frequency.
PROSE = (
    "First, let us restate the problem in our own words and identify what is given.",
    "We need to be careful with the signs here.",
    "Let's verify this result by plugging the value back in.",
    "Therefore, the expression simplifies nicely.",
    "Now we simplify the fraction by dividing numerator and denominator by their gcd.",
    "Note that the function is continuous on the whole interval, so the theorem applies.",
    "To double-check, we can estimate the value numerically.",
    "This step uses the distributive property of multiplication over addition.",
    "Combining like terms, we obtain a simpler equation.",
    "Since both sides are positive we may take square roots.",
    "Thus the answer is consistent with our earlier estimate.",
    "We can also solve this with a different method, which gives the same result.",
    "Recall the formula from the previous step.",
    "Multiplying both sides by the common denominator removes the fractions.",
    "The graph of the function confirms this behaviour near the origin.",
    "Substituting $u = x^2$ turns the problem into a linear one.",
    "Using the identity $\\sin^2 x + \\cos^2 x = 1$ simplifies the expression.",
    "By symmetry, the two cases give the same contribution.",
    "An integral of a polynomial is computed term by term.",
    "The derivative is zero at a local extremum, so we set $f'(x) = 0$.",
    "Let $x$ be the unknown quantity; then the conditions give a system of equations.",
    "Expanding $(a+b)^2 = a^2 + 2ab + b^2$ and collecting terms.",
    "We take the logarithm of both sides: $\\ln(ab) = \\ln a + \\ln b$.",
    "In summary, each step follows from the previous one.",
)
_PROSE_WEIGHTS = tuple(sum(1 / (k + 1) ** 0.8 for k in range(n + 1)) for n in range(len(PROSE)))
FIRST_QUESTIONS = ("", "", "", "", "Find x", "Show all the steps please")
QUESTIONS = (
    "",
    "",
    "",
    "Can you explain step 2 in more detail?",
    "Why can we use the chain rule here?",
    "Is there a faster way to solve this?",
    "What if the coefficient were negative?",
    "Please check the answer numerically.",
    "Find x",
    "Show all the steps please",
)


def conversation(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """A transcript and its turns (question, answer): one turn, sometimes two or three."""
    problem, steps, result = rng.choice(TEMPLATES)(rng)
    transcript = f"**Problem.** {problem}" if rng.random() < 0.3 else problem
    turns = []
    for position in range(rng.choice((1, 1, 1, 1, 2, 2, 3))):
        lines = ["Let's solve this step by step."]
        for index, step in enumerate(steps, 1):
            lines.append(f"**Step {index}.** {step}")
            count = rng.choice((1, 1, 2, 2, 3, 4))
            lines.extend(rng.choices(PROSE, cum_weights=_PROSE_WEIGHTS, k=count))
        lines.append(f"The final answer is $\\boxed{{{result}}}$.")
        question = rng.choice(QUESTIONS if position else FIRST_QUESTIONS)
        turns.append((question, "\n\n".join(lines)))
    return transcript, turns


def fill(path: Path, count: int, seed: int = 1) -> None:
    """Write `count` conversations (newest last) into a new history database at `path`."""
    HistoryStore(path).close()
    rng = random.Random(seed)
    conn = schema.connect(path)
    try:
        conn.execute("BEGIN")
        for i in range(count):
            transcript, turns = conversation(rng)
            stamp = NOW - (count - i) * 300.0
            conv_id = f"{i:032x}"
            conn.execute(
                "INSERT INTO conversations (id, created_at, updated_at, title, transcript) "
                "VALUES (?, ?, ?, ?, ?)",
                (conv_id, stamp, stamp, derive_title(transcript), transcript),
            )
            conn.executemany(
                "INSERT INTO turns (conversation_id, position, question, answer, status, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, 'complete', ?, ?)",
                [(conv_id, pos, q, a, stamp, stamp) for pos, (q, a) in enumerate(turns)],
            )
        search.rebuild(conn)
        conn.execute("COMMIT")
    finally:
        conn.close()


def cached_history(count: int) -> Path:
    """A database of `count` conversations, built once and kept while its sources are unchanged.

    The cache key hashes this module, the schema and the code that writes the index, so a
    change to what the database holds never reuses a stale one.
    """
    digest = hashlib.sha256(str(count).encode())
    for module in (__file__, schema.__file__):
        digest.update(Path(module).read_bytes())
    for code in (search.rebuild, search.grams_text):
        digest.update(inspect.getsource(code).encode())
    digest.update(search._INDEX_ROWS.encode())
    folder = Path(tempfile.gettempdir()) / "qwen-math-bench"
    path = folder / f"history-{count}-{digest.hexdigest()[:16]}.sqlite3"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(f"history-{count}-*"):
            stale.unlink()
        for leftover in folder.glob("building-*"):  # from a run that was killed mid-build
            if not _running(int(leftover.name.rpartition("-")[2])):
                shutil.rmtree(leftover, ignore_errors=True)
        building = folder / f"building-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        fill(building / "history.sqlite3", count)
        for suffix in ("-wal", "-shm"):
            (building / f"history.sqlite3{suffix}").unlink(missing_ok=True)
        os.replace(building / "history.sqlite3", path)
        shutil.rmtree(building, ignore_errors=True)
    return path


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
