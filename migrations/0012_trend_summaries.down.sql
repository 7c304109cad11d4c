DROP TABLE trend_summaries;
