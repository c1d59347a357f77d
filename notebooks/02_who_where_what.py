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
# # 2. Who, where, what and how much
#
# Which officials went on camera, where they govern, on which platforms, what they sold,
# and the sales and audience figures the articles report. Every table keeps the
# mention as written (`text`, in the article's own script) next to its Simplified form
# (`text_hans`) and its position (`doc_id`, `para_id`, `start`, `end` into the
# paragraph's text), so each row can be checked against the article.

# %%
# %matplotlib inline
import pandas as pd

import cadrecast as cc
from cadrecast import plotting

pd.set_option("display.max_colwidth", 50)
plotting.use_cjk_font()

corpus = cc.load_corpus()
docs = corpus.documents

# %% [markdown]
# ## All mentions at once
#
# `cc.extract_entities` returns every mention, one row each, with a `label`:

# %%
mentions = cc.extract_entities(corpus)
mentions["label"].value_counts()

# %% [markdown]
# ## Officials
#
# An official is found from the ways news writes them: jurisdiction + title + name
# (江西省豐城市委書記李曉楚), title + name, or a later mention by name alone, which is
# linked back to the titled one. Scholars, reporters and hosts are `person`, not
# `official`.

# %%
officials = cc.officials(corpus)
officials[["doc_id", "text", "name", "title", "jurisdiction", "province", "platform",
           "livestream"]].head(10)

# %%
# one row per named official: how often each is mentioned, and where they govern
named = officials[officials["name_hans"] != ""]
(named.groupby(["name_hans", "title_hans", "jurisdiction", "province"], dropna=False)
      .size().rename("mentions").reset_index()
      .sort_values("mentions", ascending=False))

# %%
# a related-article teaser counts with the page it was on
officials = officials.assign(page=officials["doc_id"].str.split("#").str[0])
plotting.plot_counts(officials, "title_hans", by="page", documents=docs,
                     title="Officials' titles (mentions), by page")

# %% [markdown]
# ## Places: the map by province
#
# Place names are resolved to China's administrative divisions (National Bureau of
# Statistics 2023 codes). A name several divisions share is resolved from the places
# around it, or flagged `ambiguous` — never guessed.

# %%
places = cc.places(corpus)
places[["doc_id", "text", "name", "level", "province", "prefecture", "county", "adcode",
        "ambiguous"]].head(8)

# %%
plotting.plot_place_map(places)

# %%
plotting.plot_provinces(places)

# %%
# how precisely places were resolved, and how many names stayed ambiguous
places.groupby("level").agg(mentions=("text", "size"), ambiguous=("ambiguous", "sum"))

# %% [markdown]
# ## Platforms and products

# %%
platforms = mentions[mentions["label"] == "platform"]
platforms = platforms.assign(page=platforms["doc_id"].str.split("#").str[0])
plotting.plot_counts(platforms, "normalized", by="page", documents=docs,
                     title="Platforms named, by page")

# %%
products = mentions[mentions["label"] == "product"]
products.groupby("normalized").agg(mentions=("text", "size"),
                                   as_written=("text", lambda s: " / ".join(sorted(set(s))))) \
    .sort_values("mentions", ascending=False).head(15)

# %% [markdown]
# ## How much: sales and audience figures
#
# Every quantity is parsed to a number in base units (7000多萬元 → 70,000,000 yuan,
# qualifier "more than") and classed by the words around it: sales, orders, viewers,
# followers ... The figures span ten orders of magnitude — from one livestream's
# sales to a platform's festival total — so they are drawn on a logarithmic scale.

# %%
figures = cc.figures(corpus)
plotting.plot_figures(figures, documents=docs)

# %%
big = figures[figures["metric"].isin(["sales", "viewers", "followers"])]
big[["doc_id", "text", "value", "unit", "qualifier", "metric", "subject"]] \
    .sort_values("value", ascending=False).head(12)

# %% [markdown]
# ## The events table
#
# One row per livestream an official is reported to have held: who, where, on which
# platform, when, what was sold, and the sales and viewers credited to it.

# %%
events = cc.events(corpus)
events[["doc_id", "officials", "titles", "place", "province", "platform", "date", "products",
        "sales_text", "viewers_text"]]

# %% [markdown]
# **Next:** `03_themes.py` — the themes of the articles, with a topic model.
