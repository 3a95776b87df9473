"""BM25 with Xapian, for bench/retrieval: index the documents, run the queries, report timings and rankings.

Started by the bench as a child process: `python3 xapian_runner.py INPUT.json`. INPUT holds the documents,
the queries and the settings; the answer is one JSON object on stdout. Timings are taken here, around the
indexing and around each pass over the queries, so reading the input and the pipe are not counted.

Analysis, as close to ragloom's as Xapian allows:
- english: Xapian's TermGenerator word splitting, the Porter stemmer (`Stem("porter")`, the original
  algorithm ragloom uses), every term stemmed (STEM_ALL), the stop words given in INPUT left out of the
  index and the queries (STOP_ALL);
- cjk: TermGenerator with FLAG_CJK_NGRAM (CJK text as character unigrams and bigrams), no stemming.

A query is the same analysis applied to its text (a bag of terms, each with its query frequency) OR-ed
together, as ragloom does; Xapian's QueryParser is not used because it reads operators and phrases.
Scoring is BM25Weight(k1, k2 = 0, k3, b, min_normlen = 0), k3 large so a repeated query term counts
(almost exactly) linearly as in ragloom. Xapian's idf is the classic ln((N - n + 0.5) / (n + 0.5)) with its
adjustment for terms in over a third of the documents, and scores carry the (k1 + 1) factor.
"""

import json
import shutil
import sys
import tempfile
import time

import xapian


def term_generator(settings, stopper, stemmer):
    generator = xapian.TermGenerator()
    if settings["analysis"] == "cjk":
        generator.set_flags(xapian.TermGenerator.FLAG_CJK_NGRAM)
    else:
        generator.set_stemmer(stemmer)
        generator.set_stemming_strategy(xapian.TermGenerator.STEM_ALL)
        generator.set_stopper(stopper)
        generator.set_stopper_strategy(xapian.TermGenerator.STOP_ALL)
    return generator


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        settings = json.load(f)
    stopper = xapian.SimpleStopper()
    for word in settings.get("stopwords", []):
        stopper.add(word)
    stemmer = xapian.Stem("porter")
    folder = None
    started = time.perf_counter()
    if settings["backend"] == "inmemory":
        database = xapian.WritableDatabase("", xapian.DB_BACKEND_INMEMORY)
    else:
        folder = tempfile.mkdtemp(prefix="ragloom-bench-xapian-")
        database = xapian.WritableDatabase(folder, xapian.DB_CREATE_OR_OVERWRITE | xapian.DB_BACKEND_GLASS)
    generator = term_generator(settings, stopper, stemmer)
    ids = []
    for doc_id, text in settings["documents"]:
        document = xapian.Document()
        generator.set_document(document)
        generator.index_text_without_positions(text)
        database.add_document(document)
        ids.append(doc_id)
    database.commit()
    index_ms = (time.perf_counter() - started) * 1000

    enquire = xapian.Enquire(database)
    enquire.set_weighting_scheme(xapian.BM25Weight(settings["k1"], 0, 1e9, settings["b"], 0))
    query_generator = term_generator(settings, stopper, stemmer)
    k = settings["k"]

    def search(text):
        bag = xapian.Document()
        query_generator.set_document(bag)
        query_generator.index_text_without_positions(text)
        terms = [xapian.Query(t.term, t.wdf) for t in bag.termlist()]
        enquire.set_query(xapian.Query(xapian.Query.OP_OR, terms))
        # Xapian numbers documents 1.. in the order they were added.
        return [[ids[m.docid - 1], m.weight] for m in enquire.get_mset(0, k)]

    pass_ms = []
    run = {}
    for _ in range(settings["passes"]):
        started = time.perf_counter()
        run = {query_id: search(text) for query_id, text in settings["queries"]}
        pass_ms.append((time.perf_counter() - started) * 1000)
    database.close()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    json.dump(
        {"version": xapian.version_string(), "indexMs": index_ms, "passMs": pass_ms, "run": run},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
