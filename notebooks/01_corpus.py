# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. The corpus: articles, scripts, cleaning and a translation
#
# This notebook opens the corpus that every later notebook analyses: news and commentary
# about **officials selling goods in livestreams** (领导干部直播带货, 县长直播). You will see
#
# 1. where the articles come from and what each one is;
# 2. how Traditional and Simplified Chinese are told apart and converted — and how an
#    offset in the Simplified text leads back to the original characters;
# 3. what cleaning removed from each web page, and why (nothing is lost: the raw text
#    is kept);
# 4. the English machine translation, aligned paragraph by paragraph with its Chinese
#    original.
#
# Run it top to bottom. Everything is deterministic: the same corpus gives the same tables.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import pandas as pd

import cadrecast as cc
from cadrecast import plotting

cc.show_versions()
pd.set_option("display.max_colwidth", 60)
plotting.use_cjk_font()  # register a Chinese font with matplotlib (no tofu boxes)

# %% [markdown]
# ## Where the articles come from
#
# `cc.load_corpus()` with no argument loads the bundled articles (`corpus/` in the
# repository). Give it a folder of `.txt` files, or a CSV / JSON Lines / Parquet table,
# to load your own. Each web page can carry a list of teasers of *other* articles
# ("相關焦點"); those are split out as documents of their own with `kind == "related"`.

# %%
corpus = cc.load_corpus()
corpus

# %%
docs = corpus.documents
articles = docs[docs["kind"] == "article"]
articles[["doc_id", "title", "date", "source", "language", "script", "translation_of",
          "n_chars"]]

# %%
docs["kind"].value_counts()

# %% [markdown]
# The related-article teasers keep the page they came from in `parent_id`:

# %%
docs.loc[docs["kind"] == "related", ["doc_id", "parent_id", "title"]].head(5)

# %% [markdown]
# ## Paragraphs, sentences and scripts
#
# Every document is split into paragraphs and sentences. Each paragraph records its
# script (`hant` Traditional, `hans` Simplified, `en` English, `mixed`) and carries a
# Simplified copy (`text_hans`, made with OpenCC), so that words can be counted across
# scripts while quotes stay in the original characters.

# %%
paras = corpus.paragraphs
paras[["doc_id", "para_id", "role", "script", "text", "text_hans"]].head(6)

# %%
plotting.plot_scripts(paras, documents=docs)

# %%
pd.crosstab(paras["doc_id"].str.split("#").str[0], paras["script"], margins=True)

# %% [markdown]
# The conversion functions work on any string. `detect_script` looks for characters
# that exist only in one script:

# %%
examples = ["領導幹部直播帶貨", "领导干部直播带货", "直播", "County heads sell goods online"]
pd.DataFrame({"text": examples,
              "script": [cc.detect_script(t) for t in examples],
              "Simplified": [cc.to_simplified(t) for t in examples],
              "Traditional (Taiwan phrases)": [cc.to_traditional(t, region="twp")
                                               for t in examples]})

# %% [markdown]
# ### From a Simplified offset back to the original characters
#
# Analyses run on `text_hans`; a finding must be quotable in the original. Conversion
# usually keeps every character in place (offsets are the same); where a phrase
# conversion changes the length, `convert_with_map` returns a map back.

# %%
from cadrecast.script import convert_with_map

original = "網際網路讓好產品賣出了好價格"
simplified, span_map = convert_with_map(original, "tw2sp")
start = simplified.index("好产品")
orig_start, orig_end = span_map.to_original(start, start + 3)
simplified, (start, start + 3), original[orig_start:orig_end]

# %% [markdown]
# In the paragraph table the same map is stored as a string, `hans_map` ("" means the
# offsets are identical):

# %%
(paras["hans_map"] != "").sum(), len(paras)

# %% [markdown]
# ## What cleaning removed
#
# A web page arrives with navigation, copyright lines, QR-code prompts and footers.
# `documents.raw` keeps the decoded file untouched, `documents.text` is the cleaned
# article, and `corpus.removed` lists every span that was taken out, with its reason
# and its offsets into the raw text.

# %%
removed = corpus.removed
removed.assign(chars=removed["end"] - removed["start"]).groupby("reason").agg(
    spans=("reason", "size"), chars=("chars", "sum")).sort_values("chars", ascending=False)

# %%
plotting.plot_cleaning(docs, removed)

# %% [markdown]
# A few of the removed spans, in the original script. Each can be found again in the raw
# file with its offsets:

# %%
sample = removed[removed["reason"] != "related"].groupby("reason").head(1)
sample[["doc_id", "reason", "start", "end", "text"]]

# %%
row = sample.iloc[0]
raw = docs.set_index("doc_id").loc[row["doc_id"], "raw"]
raw[row["start"]:row["end"]] == row["text"]

# %% [markdown]
# ## The English translation, aligned with its original
#
# One article is an English machine translation of another. `cc.find_translations`
# finds the pair from the texts alone: a translation carries over the figures and dates
# its original states (2692億元 = 269.2 billion yuan; 6月19日 = June 19).

# %%
cc.find_translations(corpus, use_metadata=False)

# %% [markdown]
# `cc.align_translation` lines the two documents up paragraph by paragraph (a
# Gale-Church-style alignment that rewards shared figures and dates and penalises
# unusual length ratios). `kind` says how many paragraphs of each side form a group;
# `0-1` is a paragraph of the translation with no counterpart in the original.

# %%
pair = cc.find_translations(corpus).iloc[0]
aligned = cc.align_translation(corpus, pair["doc_id"], pair["translation_of"])
aligned["kind"].value_counts()

# %%
pd.set_option("display.max_colwidth", 90)
aligned.loc[aligned["shared_anchors"] >= 2,
            ["kind", "original", "original_hans", "translation", "shared_anchors"]].head(5)

# %% [markdown]
# How well do the lengths agree? A `length_ratio` near 1 means the pair is as long,
# relative to each other, as the two documents are overall.

# %%
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
one_to_one = aligned[aligned["kind"] == "1-1"]
ax.plot(one_to_one["pair"], one_to_one["length_ratio"], marker="o")
ax.axhline(1, color="grey", linewidth=0.8)
ax.set_xlabel("aligned group (in document order)")
ax.set_ylabel("length ratio")
ax.set_title("英文译文与中文原文的段落长度比 (1-1 groups)")

# %% [markdown]
# **Next:** `02_who_where_what.py` — the officials, places, platforms, products and
# figures these articles mention.
