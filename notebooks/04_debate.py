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
# # 4. The debate: who supports officials selling online, who criticises it, and why
#
# Each Chinese paragraph gets a **stance** towards officials selling goods in
# livestreams — `support`, `critical` or `neutral` — from the cue words of the debate's
# **frames** (助农 and 脱贫 for support; 形式主义, 摊派 and 数据造假 for the critics ...).
# Denials (不是作秀) and contrasts (但是 ...) are taken into account, and every decision
# comes with the cues that made it, so it can be checked.
#
# Then: the two sides side by side, the arguments (frames) each side makes with quotes
# in the original script and in Simplified, the words that distinguish the sides, and
# the sentiment of the paragraphs.

# %%
# %matplotlib inline
import pandas as pd

import cadrecast as cc
from cadrecast import plotting

pd.set_option("display.max_colwidth", 120)
plotting.use_cjk_font()

corpus = cc.load_corpus()
docs = corpus.documents
paragraphs = corpus.paragraphs
chinese = paragraphs[paragraphs["language"] == "zh"]

# %% [markdown]
# ## Stance of every paragraph

# %%
stance = cc.stance(chinese)
stance["stance"].value_counts()

# %%
stance.loc[stance["stance"] != "neutral",
           ["doc_id", "para_id", "stance", "score", "evidence"]].head(8)

# %% [markdown]
# ### By article and by source
#
# The share of support, neutral and critical paragraphs. The related-article teasers are
# left out of the first chart (each is a separate two-paragraph article); the second
# groups all paragraphs by their publishing source (teasers have none).

# %%
articles = docs.loc[docs["kind"] == "article", "doc_id"]
plotting.plot_stance(stance[stance["doc_id"].isin(articles)], documents=docs)

# %%
plotting.plot_stance(stance, by="source", documents=docs)

# %%
cc.stance_summary(stance, corpus, by="source")

# %% [markdown]
# ## The two sides, side by side
#
# The paragraphs that take each side most clearly (largest `|score|`), in the original
# script; `*_hans` columns hold the same quotes in Simplified.

# %%
clear = stance.assign(strength=stance["score"].abs())
pairs = cc.side_by_side(clear, corpus, score="strength", n=4)
pairs[["rank", "support", "support_source", "critical", "critical_source"]]

# %%
pairs[["rank", "support_hans", "critical_hans"]]

# %% [markdown]
# ## The arguments each side makes
#
# A frame is one argument (helping farmers sell; formalism; forced quotas ...). For each
# frame: in how many paragraphs it is the main argument, the cue words that raised it,
# and the paragraph that argues it most clearly — in the original script and in
# Simplified.

# %%
arguments = cc.frame_arguments(stance, corpus, n=1)
arguments[["side", "frame", "paragraphs", "documents", "cues", "quote", "source"]]

# %%
arguments[["side", "frame", "quote_hans"]]

# %% [markdown]
# Which arguments does each article make? Main frame of each paragraph, counted by
# article:

# %%
main_frame = stance["frames"].str.split(";").str[0].replace("", "(no frame)")
pd.crosstab(main_frame[stance["doc_id"].isin(articles)].rename("frame"),
            stance.loc[stance["doc_id"].isin(articles), "doc_id"])

# %% [markdown]
# ## Words that distinguish the sides
#
# The log-odds ratio of each word in critical against supportive paragraphs, with an
# informative Dirichlet prior (Monroe, Colaresi and Quinn 2008): words used often on
# one side and rarely on the other, with rare words shrunk towards zero.

# %%
words = cc.distinctive_words(corpus, stance)
plotting.plot_distinctive_words(words, n=15)

# %%
words.groupby("group").head(8)[["group", "term", "count_critical", "count_support", "z"]]

# %% [markdown]
# ## Sentiment
#
# Sentiment (positive / negative wording, from a lexicon with negation, degree and
# contrast rules) is not stance: a critic can write calmly, and a supporter can describe
# a problem. The two measures side by side:

# %%
sentiment = cc.sentiment(chinese)
plotting.plot_sentiment(sentiment[sentiment["doc_id"].isin(articles)], documents=docs)

# %%
both = stance.merge(sentiment[["doc_id", "para_id", "label"]], on=["doc_id", "para_id"])
pd.crosstab(both["stance"], both["label"], margins=True)

# %% [markdown]
# Critical paragraphs written in positive words are where the two measures disagree
# most; reading a few shows what each measures:

# %%
disagree = both[(both["stance"] == "critical") & (both["label"] == "positive")]
disagree.merge(chinese[["doc_id", "para_id", "text"]], on=["doc_id", "para_id"]) \
    [["doc_id", "para_id", "evidence", "text"]].head(3)

# %% [markdown]
# The whole analysis — these tables and figures, and those of the earlier notebooks —
# is also written by `cadrecast run --out output/` as CSV files and one self-contained
# `output/report.html`.
