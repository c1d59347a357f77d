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
# # 3. Themes: choosing k, the topics, and how they differ by article and by side
#
# A topic model (LDA, with gensim) finds groups of words that tend to occur in the same
# paragraphs. Each paragraph of the Chinese articles is one document; words are modelled
# in Simplified script, so the Traditional and the Simplified articles share one
# vocabulary, and the tables show each word's original spelling too.
#
# **Settings in this notebook are small so that it runs in seconds** (three values of k,
# two seeds, few passes). For a study, use `cc.TopicModel`'s defaults and the default
# range of `select_k`, as `cadrecast run` does.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import pandas as pd

import cadrecast as cc
from cadrecast import plotting, topics

pd.set_option("display.max_colwidth", 80)
plotting.use_cjk_font()

SEED = 0  # every random step takes this seed: same corpus, same topics

corpus = cc.load_corpus()
paragraphs = corpus.paragraphs
chinese = paragraphs[paragraphs["language"] == "zh"]
tokens = cc.tokenize(corpus).merge(chinese[["doc_id", "para_id"]], on=["doc_id", "para_id"])
tokens.head()

# %% [markdown]
# ## Choosing k
#
# `cc.select_k` fits every k with several seeds and reports topic coherence (c_v and NPMI,
# higher is better) and stability across seeds (do different seeds find the same
# topics?). The chosen k has the best mean of the three, each scaled over the ks tried.

# %%
selection = cc.select_k(tokens, ks=[3, 5, 7], n_seeds=2, passes=5, iterations=100,
                            random_state=SEED, n_jobs=2)
selection

# %%
topics.plot_k_selection(selection)

# %%
k = int(selection.loc[selection["chosen"], "k"].iloc[0])
model = cc.TopicModel(n_topics=k, passes=10, random_state=SEED).fit(tokens)
model.topic_info()

# %% [markdown]
# ## The topics
#
# Top words of each topic (Simplified, with the spelling found in the articles in
# brackets), and the paragraphs where each topic is strongest — read them before you
# name a topic.

# %%
topics.plot_topic_words(model.topics(n=10))

# %%
model.representative_paragraphs(paragraphs, n=2)[["topic", "label", "doc_id", "para_id",
                                                 "proportion", "text"]]

# %% [markdown]
# ## How the themes differ by article
#
# The mean topic proportion of each article's paragraphs (related-article teasers are
# left out here: each is a different article of two short paragraphs).

# %%
doc_topics = model.document_topics()
articles = corpus.documents.loc[corpus.documents["kind"] == "article", "doc_id"]
in_articles = doc_topics[doc_topics["doc_id"].isin(articles)]
labels = dict(enumerate(model.labels_))
plotting.plot_topic_prevalence(in_articles, labels=labels, documents=corpus.documents)

# %% [markdown]
# With bootstrap intervals: `compare` resamples paragraphs; `difference` is the level's
# prevalence minus the rest's, and `credible` says whether its interval excludes 0.

# %%
by_article = model.compare(chinese[chinese["doc_id"].isin(articles)], "doc_id",
                           n_boot=300, random_state=SEED)
by_article.loc[by_article["credible"], ["level", "topic", "label", "prevalence",
                                        "difference", "diff_low", "diff_high"]]

# %% [markdown]
# ## How the themes differ by side of the debate
#
# Each paragraph's stance (support / critical / neutral, from `cc.stance`; notebook 4
# explains it) is a covariate like any other.

# %%
stance = cc.stance(chinese)
by_side = model.compare(stance, "stance", n_boot=300, random_state=SEED)
fig, ax = plt.subplots(figsize=(8, 1 + 0.6 * k), layout="constrained")
topics.plot_prevalence(by_side, ax=ax)

# %%
by_side.pivot_table(index=["topic", "label"], columns="level", values="prevalence").round(3)

# %% [markdown]
# An interactive view of the topics (pyLDAvis, with its JavaScript inlined so that it
# works offline) can be written with `model.to_html("topics.html")`.
#
# **Next:** `04_debate.py` — the two sides of the debate and their arguments.
