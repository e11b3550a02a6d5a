"""The drafting assistant: grounded answers with citations, built as a LangChain chain.

    question ─▶ understand ─▶ ┌ retrieve passages (PassageRetriever) ┐ ─▶ select ─▶ answer
                              └ calculate (the indicators' calculator)┘

- understand (``understanding``): indicator, numbers and their roles, question type.
- retrieve and calculate run side by side (``RunnableParallel``); the calculation is
  always the calculator's, whatever answers the question.
- select (``retrieval``): passages re-ranked by how much of the question they cover,
  words weighed by their rarity in the corpus (``CorpusStats``); below
  ``RELEVANCE_THRESHOLD`` nothing was found and nothing is said but that.
- answer, with no model (the default, ``extractive``): the indicator's catalogue entry
  and the calculation, and the sentences of the best passages that answer the question,
  each followed by its citation [n]. With a chat model (``model``, ``COSIGNE_LLM``): a
  French prompt with the numbered passages as untrusted data; citations to passages
  that were not given are removed, in the streamed text as in the final one.

Every answer is the same plain object:
``{"answer", "found", "mode", "indicator", "calculation", "sources"}``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, TypedDict

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel

from knowledge.assistant.drafting import ConventionFacts, draft_part, plan, search_words
from knowledge.assistant.extractive import calculate, compose_extractive, result
from knowledge.assistant.limits import MAX_QUESTION_CHARS
from knowledge.assistant.model import (
    DRAFT_PROMPT,
    MODEL_FAILED,
    MODEL_STOPPED,
    PROMPT,
    CitationFilter,
    calculation_suffix,
    draft_prompt_values,
    finish_llm_answer,
    prompt_values,
)
from knowledge.assistant.numbers import cells_apart
from knowledge.assistant.retrieval import (
    Calculation,
    CorpusStats,
    Evidence,
    rank,
    select,
)
from knowledge.assistant.scope import corrected, decide, indicator_from_fiches
from knowledge.assistant.understanding import Understanding, understand

log = logging.getLogger(__name__)


class _Asked(TypedDict, total=False):
    question: str
    context: str | None  # the title of the section asked from
    facts: ConventionFacts | None  # what the application knows of its convention


class _Read(TypedDict):
    question: str  # as asked, spaces collapsed and cut to MAX_QUESTION_CHARS
    understanding: Understanding
    context: str | None
    facts: ConventionFacts | None


# --- the assistant -------------------------------------------------------------------------


class Assistant:
    """Answers questions from a retriever, corpus statistics and, optionally, a chat model.

    ``stats`` may be a ``CorpusStats`` or a function returning the current one (the
    application recounts when documents are added)."""

    def __init__(
        self,
        retriever: BaseRetriever,
        stats: CorpusStats | Callable[[], CorpusStats] | None = None,
        llm: BaseChatModel | None = None,
    ) -> None:
        self.retriever = retriever
        self._stats = stats
        self.llm = llm
        self.evidence_chain = self._evidence_chain()
        self.extractive_chain = self.evidence_chain | RunnableLambda(
            lambda e: result(e, compose_extractive(e), "extractive")
        )
        self.llm_chain = (
            (RunnableLambda(prompt_values) | PROMPT | llm | StrOutputParser()) if llm else None
        )
        self.draft_chain = (
            (RunnableLambda(draft_prompt_values) | DRAFT_PROMPT | llm | StrOutputParser())
            if llm
            else None
        )

    @property
    def mode(self) -> str:
        return "llm" if self.llm is not None else "extractive"

    def stats(self) -> CorpusStats:
        if callable(self._stats):
            return self._stats()
        return self._stats or CorpusStats()

    def _evidence_chain(self) -> Runnable[_Asked, Evidence]:
        def read(inputs: _Asked) -> _Read:
            raw = cells_apart(str(inputs.get("question") or ""))  # a pasted table's cells
            question = " ".join(raw.split())[:MAX_QUESTION_CHARS]
            # Words the corpus has never seen are read as the slips they are, when one of
            # its words is that close ("technik"): the search and the weighing see those.
            reading = corrected(understand(question, inputs.get("context")), self.stats())
            return {
                "question": question,
                "understanding": reading,
                "context": inputs.get("context"),
                "facts": inputs.get("facts"),
            }

        def search_query(inputs: _Read) -> str:
            reading = inputs["understanding"]
            query = reading.question  # as the corpus spells it: slips corrected
            # An indicator named by its words is also searched by its code, so that its
            # fiche comes first; a drafting request also searches its section's title.
            codes = [m.code for m in reading.indicators[:1] if m.how != "code"]
            extra = " ".join(f"indicateur {c}" for c in codes)
            if reading.kind == "drafting" and inputs.get("context"):
                extra += " " + str(inputs["context"])
            part = draft_part(reading, inputs.get("context"))
            if part is not None:  # a section to draft: searched by what it must contain
                extra += " " + search_words(part)
            return f"{query} {extra}".strip()

        def calculation(inputs: _Read) -> tuple[Calculation | None, str | None]:
            return calculate(inputs["understanding"])

        # A plain dict, not a TypedDict: that is what a RunnableParallel gives (``gather``'s
        # keys), and what the pipe into this function checks.
        def evidence(inputs: dict[str, Any]) -> Evidence:
            reading: Understanding = inputs["understanding"]
            stats = self.stats()
            ranked = rank(reading, inputs["documents"], stats)
            reading = indicator_from_fiches(reading, ranked)
            part = draft_part(reading, inputs["context"])
            # A section to draft is answered from what such a section must contain.
            found = part is not None or decide(reading, ranked, stats).found
            calc, error = inputs["calculation"]
            chosen = select(Evidence(inputs["question"], reading, ranked, found, calc, error))
            return plan(chosen, part, inputs["facts"]) if part is not None else chosen

        def retrieve(query: str) -> list[Document]:
            if not query.strip():
                return []
            return self.retriever.invoke(query)

        gather = RunnableParallel(
            question=lambda x: x["question"],
            understanding=lambda x: x["understanding"],
            context=lambda x: x["context"],
            facts=lambda x: x["facts"],
            documents=RunnableLambda(search_query) | RunnableLambda(retrieve),
            calculation=RunnableLambda(calculation),
        )
        return RunnableLambda(read) | gather | RunnableLambda(evidence)

    def _model_chain(self, evidence: Evidence) -> Runnable[Evidence, str] | None:
        """The chain the model writes through: the drafting prompt for a draft."""
        return self.draft_chain if evidence.draft is not None else self.llm_chain

    def ask(
        self, question: str, context: str | None = None, facts: ConventionFacts | None = None
    ) -> dict[str, Any]:
        """The answer object for one question (``context``: the section's title;
        ``facts``: what the application knows of the section's convention)."""
        evidence: Evidence = self.evidence_chain.invoke(
            {"question": question, "context": context, "facts": facts}
        )
        model_chain = self._model_chain(evidence)
        if model_chain is None or not evidence.found:
            return result(evidence, compose_extractive(evidence), "extractive")
        try:
            text = model_chain.invoke(evidence)
        except Exception as error:  # the model's server is down or refuses: say so, go on
            log.warning("le modèle n'a pas répondu : %s", error)
            fallback = result(evidence, compose_extractive(evidence), "extractive")
            fallback["warning"] = MODEL_FAILED
            return fallback
        answer, found = finish_llm_answer(evidence, text)
        evidence.found = found
        return result(evidence, answer, "llm")

    def stream(
        self, question: str, context: str | None = None, facts: ConventionFacts | None = None
    ) -> Iterator[dict[str, Any]]:
        """Events for a page: ``{"event": "start", ...}`` (sources, indicator,
        calculation), ``{"event": "token", "text"}``…, then ``{"event": "end",
        "result": {...}}`` with the whole answer object."""
        evidence: Evidence = self.evidence_chain.invoke(
            {"question": question, "context": context, "facts": facts}
        )
        model_chain = self._model_chain(evidence)
        if model_chain is None or not evidence.found:
            # Written first: the answer decides which sources it cites, and the start
            # event lists exactly those.
            answer = compose_extractive(evidence)
            head = result(evidence, answer, "extractive")
            yield {"event": "start", **{k: v for k, v in head.items() if k != "answer"}}
            yield {"event": "token", "text": answer}
            yield {"event": "end", "result": result(evidence, answer, "extractive")}
            return
        head = result(evidence, "", self.mode)
        yield {"event": "start", **{k: v for k, v in head.items() if k != "answer"}}
        filtered = CitationFilter(len(evidence.sources))
        try:
            for chunk in model_chain.stream(evidence):
                piece = filtered.feed(chunk)
                if piece:
                    yield {"event": "token", "text": piece}
        except Exception as error:
            log.warning("le modèle n'a pas répondu : %s", error)
            if not filtered.raw.strip():
                answer = compose_extractive(evidence)
                yield {"event": "token", "text": f"{MODEL_FAILED}\n\n{answer}"}
                fallback = result(evidence, answer, "extractive")
                fallback["warning"] = MODEL_FAILED
                yield {"event": "end", "result": fallback}
                return
            filtered.feed(f"\n\n({MODEL_STOPPED})")
        rest = filtered.flush()
        if rest:
            yield {"event": "token", "text": rest}
        answer, found = finish_llm_answer(evidence, filtered.raw)
        suffix = calculation_suffix(evidence) if found else ""
        if suffix:
            yield {"event": "token", "text": suffix}
        evidence.found = found
        yield {"event": "end", "result": result(evidence, answer, "llm")}
